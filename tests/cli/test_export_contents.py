"""The contents page and the PDF outline point at the pages where the headings stand.

The PDF is read back as a reader sees it: poppler (`pdftotext -bbox-layout`) gives each line of
text with its place on the page, so a section heading is found by its size (16 pt, the only
text that large below the title page) and its words; pypdf gives the outline's targets. Every
contents entry and every bookmark must name that page, the heading must stand inside the text
area (not under the running header or the footer), and text must follow it on its page.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from briefing.cli import main
from briefing.core import briefings as b
from briefing.store import open_store
from briefing.store.models import Quote, Stakeholder

pytestmark = pytest.mark.both_databases

MM = 72 / 25.4
TEXT_TOP = (14 + 11) * MM  # page margin + the running header's band (export/pdf.py)
TEXT_BOTTOM_FROM_FOOT = (14 + 11) * MM  # page margin + the footer's band
HEADING_HEIGHT = 18  # a 16 pt heading's line is about 23 pt tall; body text about 12


@pytest.fixture(autouse=True)
def _qt(qapp):
    return qapp


def squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("-", "")
    return re.sub(r"\s+", "", text)


def page_lines(path) -> list[tuple[float, list[tuple[float, float, str]]]]:
    """Per page: its height and its lines as (top, bottom, text), top to bottom."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(xml)
    pages = []
    for page in root.iter(f"{{{ns['x']}}}page"):
        lines = []
        for line in page.iter(f"{{{ns['x']}}}line"):
            words = " ".join(w.text or "" for w in line.iter(f"{{{ns['x']}}}word"))
            lines.append((float(line.get("yMin")), float(line.get("yMax")), words))
        lines.sort()
        pages.append((float(page.get("height")), lines))
    return pages


def heading_pages(path, titles: list[str]) -> list[int]:
    """The page (1-based) on which each section heading stands, checking that it stands well:
    once, inside the text area, with text after it on the same page."""
    pages = page_lines(path)
    found: list[int] = []
    for title in titles:
        hits = []
        for number, (height, lines) in enumerate(pages[1:], start=2):  # not the title page
            big = [(i, line) for i, line in enumerate(lines) if line[1] - line[0] > HEADING_HEIGHT]
            for start in range(len(big)):
                # A long heading may wrap: join consecutive heading-sized lines.
                text = ""
                for i, (top, bottom, words) in big[start:]:
                    text += words
                    if squash(text) == squash(title):
                        first_top = big[start][1][0]
                        assert first_top >= TEXT_TOP - 1, f"{title!r} under the running header"
                        assert bottom <= height - TEXT_BOTTOM_FROM_FOOT + 1, (
                            f"{title!r} on page {number} stands under the footer (y={top:.0f})"
                        )
                        after = [line for line in lines[i + 1 :] if line[0] >= bottom - 0.5]
                        body = [line for line in after if line[1] <= height - 72]
                        assert body, f"{title!r} is left at the foot of page {number}"
                        hits.append(number)
                        break
                    if not squash(title).startswith(squash(text)):
                        break
        assert len(hits) == 1, f"heading {title!r} found on pages {hits}"
        found.append(hits[0])
    return found


def contents_pages(path, titles: list[str]) -> list[int]:
    """The page numbers the contents page gives, entry by entry (it is page 2)."""
    _height, lines = page_lines(path)[1]
    numbers = []
    for title in titles:
        entry = [line for line in lines if squash(line[2]) == squash(title)]
        assert len(entry) == 1, f"no single contents entry for {title!r}: {lines}"
        top = entry[0][0]
        number = [w for t, _b, w in lines if abs(t - top) < 1 and w.strip().isdigit()]
        assert len(number) == 1, f"no page number beside {title!r}"
        numbers.append(int(number[0]))
    return numbers


def outline_pages(path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    return [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]


def check_every_entry(path, titles: list[str]) -> None:
    where = heading_pages(path, titles)
    assert contents_pages(path, titles) == where
    assert outline_pages(path) == list(zip(titles, where, strict=True))


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_demo_topic_contents_and_outline_land_on_their_headings(demo_path, tmp_path, page_size):
    out = tmp_path / "topic.pdf"
    assert main(["--db", str(demo_path), "export", str(out), "--page-size", page_size]) == 0
    with open_store(demo_path) as store, store.reading() as s:
        titles = b.topic_content(s, 1).section_titles
    check_every_entry(out, titles)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)


def test_composed_briefing_contents_and_outline_land_on_their_headings(demo_path, tmp_path):
    with open_store(demo_path) as store, store.writing() as s:
        bid, _ = b.create_briefing(
            s, 1, "For the committee", introduction="Why this matters.\n\n" * 30
        )
        b.add_item(s, bid, "comparison")
        for stakeholder in s.scalars(select(Stakeholder.id).order_by(Stakeholder.id)).all()[:6]:
            b.add_item(s, bid, "stakeholder", stakeholder)
        for quote in s.scalars(select(Quote.id).order_by(Quote.id.desc())).all()[:3]:
            b.add_item(s, bid, "quote", quote)
    out = tmp_path / "briefing.pdf"
    assert main(["--db", str(demo_path), "export", str(out), "--briefing", str(bid)]) == 0
    with open_store(demo_path) as store, store.reading() as s:
        titles = b.briefing_content(s, bid).section_titles
    check_every_entry(out, titles)


def test_the_check_finds_a_heading_under_the_footer(tmp_path):
    """The reading above would catch the bug it was written for: a heading whose text Qt set at
    the foot of the page before (clipped there, but still text in the PDF) counts twice."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QPainter, QPdfWriter

    out = tmp_path / "bad.pdf"
    writer = QPdfWriter(str(out))
    painter = QPainter(writer)
    font = QFont("DejaVu Sans")
    for _page in range(2):
        font.setPointSizeF(16)
        painter.setFont(font)
        height = writer.height()
        painter.drawText(QRectF(0, height - 200, writer.width(), 400), "Introduction")
        font.setPointSizeF(10)
        painter.setFont(font)
        painter.drawText(QRectF(0, height / 2, writer.width(), 400), "Body text")
        writer.newPage()
    painter.end()
    with pytest.raises(AssertionError, match="under the footer"):
        heading_pages(out, ["Introduction"])
