"""The reworded flag where users read it: Details, the quote panel and the exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from briefing.core.briefings import topic_content
from briefing.core.cards import stakeholder_detail
from briefing.core.primary import mark_primary
from briefing.core.quotes import check_quotes
from briefing.core.sources import import_source
from briefing.render.briefing import html_document, markdown_document
from briefing.render.detail import stakeholder_html
from briefing.render.quote_check import quote_check_html, quote_summary
from briefing.store.models import Stakeholder, Topic

LETTER_PATH = Path(__file__).parent.parent / "data" / "primary" / "ibm-letter-2020-06-08.txt"
REWORDED = "now not affords common objective IBM facial recognition or evaluation software program."


@pytest.fixture
def with_letter(demo_store):
    with demo_store.writing() as session:
        source = import_source(session, LETTER_PATH, title="Letter to Congress").id
        mark_primary(session, source, ["IBM"])
    return demo_store


def _ibm(session):
    topic = session.scalars(select(Topic.id)).first()
    ibm = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
    return topic, ibm


def test_details_show_the_letters_words_beside_the_reworded_quote(with_letter, tmp_path):
    with with_letter.reading() as session:
        topic, ibm = _ibm(session)
        detail = stakeholder_detail(session, topic, ibm)
    html = stakeholder_html(detail)
    (tmp_path / "details.html").write_text(html, encoding="utf-8")
    view = next(q for q in detail.quotes if q.line.text == REWORDED)
    assert view.primary is not None and view.primary.reworded
    assert "Reworded: the primary document <i>Letter to Congress</i> (IBM) says" in html
    # The letter's changed words are marked in type, beside the quote.
    assert '<b class="changed"><u>no longer offers general purpose</u></b>' in html
    assert "Matches the primary document" in html  # the faithful quotes say so


def test_the_quote_panel_sets_the_two_side_by_side(with_letter):
    with with_letter.reading() as session:
        check = next(c for c in check_quotes(session) if c.text == REWORDED)
    html = quote_check_html(check)
    assert "Primary document: Letter to Congress" in html
    assert "side-by-side" in html and "analysis" in html
    assert "reworded" in quote_summary(check)


def test_exports_flag_the_quote_and_list_it_in_appendix_b(with_letter):
    with with_letter.reading() as session:
        topic, _ = _ibm(session)
        content = topic_content(session, topic)
    flagged = [q for q in content.conflicting if q.reworded]
    assert [q.text for q in flagged if q.text == REWORDED] == [REWORDED]
    markdown = markdown_document(content)
    assert "reworded: the speaker\u2019s primary document says otherwise" in markdown
    assert (
        "reworded: the primary document Letter to Congress (IBM) says \u201cno longer offers "
        "general purpose IBM facial recognition or analysis software\u201d" in markdown
    )
    html = html_document(content)
    assert "[-evaluation-] {+analysis+}" in html


def test_without_a_primary_document_details_and_exports_are_unchanged(demo_store):
    with demo_store.reading() as session:
        topic, ibm = _ibm(session)
        detail = stakeholder_detail(session, topic, ibm)
        content = topic_content(session, topic)
    assert all(q.primary is None for q in detail.quotes)
    assert "primary document" not in stakeholder_html(detail)
    assert not any(q.reworded for q in content.all_quotes)


def test_the_pdf_lists_the_primary_document_in_appendix_a(demo_path, tmp_path, qapp):
    """Every source the briefing names is in Appendix A: the letter Appendix B quotes against
    the reworded quote is numbered there like the sources quotes are taken from."""
    import re
    import subprocess
    import unicodedata

    from briefing.cli import main

    db = str(demo_path)
    assert (
        main(
            [
                "--db",
                db,
                "import-source",
                str(LETTER_PATH),
                "--title",
                "Letter to Congress",
                "--primary-for",
                "IBM",
            ]
        )
        == 0
    )
    out = tmp_path / "briefing.pdf"
    assert main(["--db", db, "export", str(out)]) == 0
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(tmp_path / "page")], check=True)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))  # "ﬁ" ligatures
    appendix_a = text.rsplit("Appendix A: Sources", 1)[1].split("Appendix B:", 1)[0]
    appendix_b = text.rsplit("Appendix B: Quotes not verified", 1)[1]
    # Appendix B names the letter and cites its number ...
    named = re.search(
        r"primary document Letter to Congress \(IBM\) says.*?\(source \[(\d+)\]\)", appendix_b
    )
    assert named, appendix_b
    number = named.group(1)
    # ... and Appendix A lists it under that number.
    assert f"[{number}] Letter to Congress No publisher" in appendix_a, appendix_a
    # Every source number cited anywhere is in Appendix A.
    cited = set(re.findall(r"\[(\d+)\]", text))
    listed = set(re.findall(r"\[(\d+)\]", appendix_a))
    assert cited <= listed, (cited, listed)
