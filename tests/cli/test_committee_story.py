"""The issue's "done when", tried as a new user would: a briefing for a committee from the demo
plus one imported article, a misattributed quote fixed, exported as PDF and ODT. Every contents
entry and bookmark lands on its heading, no note appears that was not chosen, every
stakeholder is in the comparison, and the citations date their sources correctly."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from briefing.cli import main
from briefing.core import briefings as b
from briefing.core.notes import add_note, list_notes
from briefing.store import open_store
from briefing.store.models import Quote, Stakeholder

pytestmark = pytest.mark.both_databases

ARTICLE = """<!DOCTYPE html><html><head>
<title>Council to debate live facial recognition | Tech Policy Daily</title>
<link rel="canonical" href="https://techpolicy.example/2020/06/12/council-lfr">
<meta property="og:site_name" content="Tech Policy Daily">
<meta property="article:published_time" content="2020-06-12T07:00:00Z">
</head><body>
<div class="cookie-consent"><p>We use cookies to improve your experience.</p></div>
<article><h1>Council to debate live facial recognition</h1>
<p>Speaking on 10 June, a Liberty lawyer said that \u201cfacial recognition has no place on our
streets\u201d and urged councillors to reject the plan.</p>
<p>The council's committee meets next week.</p></article></body></html>"""


@pytest.fixture(autouse=True)
def _qt(qapp):
    return qapp


def contents_check():
    """test_export_contents.py's PDF reading (tests import in importlib mode: by path)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("test_export_contents.py")
    spec = importlib.util.spec_from_file_location("export_contents_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("-", "")
    return re.sub(r"\s+", "", text)


def run(capsys, db, *args) -> str:
    code = main(["--db", str(db), *map(str, args)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_briefing_an_advocate_can_put_before_a_committee(demo_path, tmp_path, capsys):
    page = tmp_path / "council.html"
    page.write_text(ARTICLE, encoding="utf-8")
    source = json.loads(run(capsys, demo_path, "import-source", page, "--json"))["id"]
    sources = json.loads(run(capsys, demo_path, "sources", "--json"))
    article = next(s for s in sources if s["id"] == source)
    assert article["url"] == "https://techpolicy.example/2020/06/12/council-lfr"
    assert article["publisher"] == "Tech Policy Daily" and article["date"] == "2020-06-12"
    # Quoted under the wrong speaker, then fixed.
    words = "facial recognition has no place on our streets"
    quote = int(
        run(capsys, demo_path, "quote", "add", "--source", source, "--speaker", "Amnesty "
            "International", "--date", "2020-06-10", words)  # fmt: skip
    )
    run(capsys, demo_path, "quote", "edit", quote, "--speaker", "Liberty")

    with open_store(demo_path) as store, store.writing() as s:
        names = ("IBM", "Amazon", "Liberty")
        ids = {
            n: s.scalars(select(Stakeholder.id).where(Stakeholder.name == n)).one() for n in names
        }
        chosen = add_note(s, ("stakeholder", ids["Liberty"]), "Liberty will give evidence.").id
        bid, _ = b.create_briefing(
            s, 1, "For the Policing Committee", audience="Policing Committee",
            introduction="The committee votes on live facial recognition next week.",
        )  # fmt: skip
        b.add_item(s, bid, "comparison")
        for name in names:
            b.add_item(s, bid, "stakeholder", ids[name])
        b.add_item(s, bid, "note", chosen)
        b.add_item(s, bid, "quote", quote)
        content = b.briefing_content(s, bid)
        every_note = [n.body for n in list_notes(s)]
        titles = content.section_titles
        speaker = s.get(Quote, quote).speaker.name
    assert speaker == "Liberty"
    comparison = content.sections[0]
    assert set(comparison.stakeholders) == set(names)

    pdf, odt = tmp_path / "committee.pdf", tmp_path / "committee.odt"
    for out in (pdf, odt):
        run(capsys, demo_path, "export", out, "--briefing", bid)

    # Contents and bookmarks: the page each heading stands on.
    contents_check().check_every_entry(pdf, titles)
    reader = PdfReader(pdf)
    text = squash("".join(p.extract_text() for p in reader.pages))
    odt_text = squash(
        "".join(ET.fromstring(zipfile.ZipFile(odt).read("content.xml")).itertext())
    )
    for shown in (text, odt_text):
        # Only the chosen note, once; none of the card's other notes.
        assert shown.count(squash("Liberty will give evidence.")) == 1
        for body in every_note:
            if "Liberty will give evidence" not in body:
                assert squash(body[:60]) not in shown, body[:60]
        # The article's date, then when the words were said.
        assert squash("Tech Policy Daily") in shown or squash("Council to debate") in shown
        assert squash("12 June 2020 (said 10 June 2020)") in shown
        assert squash("We use cookies") not in shown
        for name in names:
            assert squash(name) in shown
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
