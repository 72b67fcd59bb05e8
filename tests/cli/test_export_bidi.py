"""Text with bidi controls is isolated wherever it is rendered, so an override in a quote can
never reorder its citation: Markdown (U+2068 ... U+2069), HTML (`<bdi>`), the PDF and the
window (Qt lays out the isolates)."""

from __future__ import annotations

import re
import subprocess

import pytest
from PySide6.QtGui import QFont, QTextLayout

from briefing.cli import main
from briefing.render import briefing as render_briefing
from briefing.text import FSI, PDI, isolate

pytestmark = pytest.mark.both_databases

RLO, PDF_MARK = "\u202e", "\u202c"
SOURCE = f"IBM says {RLO}MBI will stop{PDF_MARK} and more. Also {RLO}reversed tail, no pop.\n"
QUOTE = f"{RLO}reversed tail, no pop."
CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def _qt(qapp):
    return qapp


@pytest.fixture
def db(demo_path, tmp_path):
    source = tmp_path / "letter.txt"
    source.write_text(SOURCE, encoding="utf-8")
    db = str(demo_path)
    title = "Letter \u202eto Congress"
    assert main(["--db", db, "import-source", str(source), "--title", title]) == 0
    return db


def _quote(db, capsys) -> None:
    source = _last_source(db, capsys)
    code = main(["--db", db, "quote", "add", "--source", source, "--speaker", "IBM", QUOTE])
    assert code == 0, capsys.readouterr().err


def _last_source(db, capsys) -> str:
    import json

    capsys.readouterr()
    main(["--db", db, "sources", "--json"])
    return str(max(s["id"] for s in json.loads(capsys.readouterr().out)))


def outside_isolates(line: str) -> str:
    """The characters of `line` that no FSI ... PDI pair encloses."""
    out, depth = [], 0
    for char in line:
        if char == FSI:
            depth += 1
        elif char == PDI and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def test_markdown_isolates_every_override(db, tmp_path, capsys):
    _quote(db, capsys)
    out = tmp_path / "out.md"
    assert main(["--db", db, "export", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert f"\u201c{FSI}{QUOTE}{PDI}\u201d" in text
    for line in text.splitlines():
        assert not CONTROLS.search(outside_isolates(line)), line


def test_html_puts_user_text_in_bdi(db, tmp_path, capsys):
    _quote(db, capsys)
    out = tmp_path / "out.html"
    assert main(["--db", db, "export", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert f"<bdi>{FSI}{QUOTE}{PDI}</bdi>" in html
    assert f"<i><bdi>{FSI}Letter {RLO}to Congress{PDI}</bdi></i>" in html
    # every override is inside a <bdi>
    outside = re.sub(r"<bdi>.*?</bdi>", "", html, flags=re.S)
    assert not re.search("[\u202a-\u202e]", outside)


def _pdf_lines(db, tmp_path, name) -> list[str]:
    out = tmp_path / name
    assert main(["--db", db, "export", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    return [line for line in text.splitlines() if "desrever" in line or "ssergnoC" in line]


def test_the_pdf_keeps_the_citation_in_order(db, tmp_path, capsys, monkeypatch):
    _quote(db, capsys)
    lines = _pdf_lines(db, tmp_path, "isolated.pdf")
    quote = next(line for line in lines if "liat desrever" in line)
    # the override reverses the quote's own words, inside its quotation marks, and no further
    assert re.fullmatch(r"Q\d+ \u201c\.pop on ,liat desrever\u201d", quote), quote
    # the title's override reverses the title alone: the date and source number stay after it
    citation = r"\u2014 IBM, Letter ssergnoC ot, undated \[\d+\] \u00b7 .*"
    assert any(re.fullmatch(citation, line) for line in lines), lines
    # the same export without isolation reorders the text around the override
    monkeypatch.setattr(render_briefing, "isolated_html", render_briefing.escape)
    assert _pdf_lines(db, tmp_path, "plain.pdf") != lines


def test_qt_lays_out_an_isolated_override_without_reordering_what_follows(qapp):
    def x_of(text: str, index: int) -> float:
        layout = QTextLayout(text, QFont())
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(2000)
        layout.endLayout()
        return line.cursorToX(index)[0]

    cases = ((f"{RLO}MBI, Letter", False), (f"{isolate(RLO + 'MBI')}, Letter", True))
    for text, isolated in cases:
        comma, letter = text.index(","), text.index("Letter")
        assert (x_of(text, comma) < x_of(text, letter)) is isolated


def test_plain_left_to_right_text_is_left_as_it_is():
    assert isolate("IBM") == "IBM" and isolate("") == ""
    assert isolate("\u05e9\u05dc\u05d5\u05dd") == f"{FSI}\u05e9\u05dc\u05d5\u05dd{PDI}"


def test_the_details_panel_isolates_the_quote_and_its_source(db, capsys):
    from briefing.core.cards import stakeholder_detail
    from briefing.core.lookup import find_stakeholder, find_topic
    from briefing.render.detail import stakeholder_html
    from briefing.store import open_store

    _quote(db, capsys)
    with open_store(db) as store, store.reading() as session:
        topic = find_topic(session, None).id
        html = stakeholder_html(
            stakeholder_detail(session, topic, find_stakeholder(session, "IBM").id)
        )
    assert f"\u201c{FSI}{QUOTE}{PDI}\u201d" in html
    assert f"{FSI}Letter {RLO}to Congress{PDI}, undated" in html
    assert "<bdi>" not in html  # Qt's rich text ignores it; the isolates do the work there


def test_a_search_hit_isolates_its_title_detail_and_snippet(qapp):
    from briefing.core.search import SearchHit
    from briefing.render.search import hit_html
    from briefing.ui.search import describe_hit

    hit = SearchHit(
        kind="note",
        id=1,
        title=f"{RLO}MBI",
        detail=f"on {RLO}topic",
        snippet=f"police {RLO}use of it",
        highlights=((0, 6),),
        rank=0.0,
    )
    sentence = describe_hit(hit)
    # every part that holds an override ends its effect before the next part begins
    assert f"{FSI}{RLO}MBI{PDI}" in sentence and f"{FSI}on {RLO}topic{PDI}" in sentence
    assert sentence.endswith(f"{FSI}police {RLO}use of it{PDI}")
    html = hit_html(hit)
    assert f"<bdi>{FSI}{RLO}MBI{PDI}</bdi>" in html
    assert html.count("<bdi>") == 3 and html.count(FSI) == html.count(PDI) == 3
    plain = SearchHit("note", 2, "IBM", "", "plain words", (), 0.0)
    assert FSI not in describe_hit(plain) + hit_html(plain)  # plain text is left as it is
