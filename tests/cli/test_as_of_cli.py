"""`--as-of DATE` on `stakeholders`, `compare` and `export`; a bad date changes nothing."""

from __future__ import annotations

import json
import unicodedata
import zipfile

import pytest
from pypdf import PdfReader

from briefing.cli import main
from briefing.core.undo import dump
from briefing.store import open_store

pytestmark = pytest.mark.both_databases

TOPIC = "Police use of facial recognition"


@pytest.fixture(autouse=True)
def _qt(qapp):
    """The PDF and ODT exports start Qt if nothing has; later GUI tests in the same process
    need it to be pytest-qt's QApplication, so make that one first."""
    return qapp


def run(capsys, db, *args) -> tuple[int, str, str]:
    code = main(["--db", str(db), *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def everything(path):
    with open_store(path) as store, store.reading() as session:
        return dump(session)


def test_stakeholders_as_of_a_day_and_later_positions_taking_over(capsys, demo_path):
    code, out, _ = run(capsys, demo_path, "stakeholders", "--as-of", "1 March 2020", "--json")
    assert code == 0
    cards = {card["name"]: card for card in json.loads(out)}
    assert cards["Metropolitan Police"]["stance"] == "supports"
    assert cards["Metropolitan Police"]["changed_on"] == "2020-06-09"
    assert cards["IBM"]["stance"] is None and cards["IBM"]["quotes"] == 0

    # a later position becomes the current one; an earlier one never replaces it
    for stance, day in (("supports", "2021-02-01"), ("conditional", "2020-10-01")):
        code, _, err = run(
            capsys, demo_path, "position", "set", "IBM", "--topic", TOPIC,
            "--stance", stance, "--summary", f"{stance} then", "--as-of", day,
        )  # fmt: skip
        assert code == 0, err
    code, out, _ = run(capsys, demo_path, "stakeholders", "--json")
    assert next(c for c in json.loads(out) if c["name"] == "IBM")["stance"] == "supports"
    code, out, _ = run(capsys, demo_path, "stakeholders", "--as-of", "2020-11-15")
    line = next(line for line in out.splitlines() if " IBM " in line)
    assert "conditional" in line and "(changed 1 February 2021)" in line
    assert out.splitlines()[0] == "as of 15 November 2020"


def test_compare_as_of_a_day_leaves_out_answers_not_yet_backed(capsys, demo_path):
    args = ("compare", "--topic", TOPIC, "--stakeholders", "IBM,Microsoft", "--json")
    code, out, _ = run(capsys, demo_path, *args)
    now = json.loads(out)
    code, out, _ = run(capsys, demo_path, *args, "--as-of", "2020-03-01")
    past = json.loads(out)
    assert code == 0 and past["as_of"] == "2020-03-01" and now["as_of"] is None
    assert any(a["answer"] for q in now["questions"] for a in q["answers"].values())
    assert all(a["answer"] is None for q in past["questions"] for a in q["answers"].values())


@pytest.mark.parametrize(
    ("command", "bad", "message"),
    [
        ("stakeholders", "2020-02-30", "there is no 30 February 2020"),
        ("compare", "yesterday", "is not a date"),
        ("export", "June 2020", "give a day"),
    ],
)
def test_a_date_that_is_not_a_day_is_refused_and_changes_nothing(
    capsys, demo_path, tmp_path, command, bad, message
):
    before = everything(demo_path)
    extra = {
        "stakeholders": [],
        "compare": ["--topic", TOPIC, "--stakeholders", "IBM,Microsoft"],
        "export": [tmp_path / "out.md"],
    }[command]
    code, out, err = run(capsys, demo_path, command, *extra, "--as-of", bad)
    assert code != 0 and message in err and out == ""
    assert everything(demo_path) == before
    assert not (tmp_path / "out.md").exists()


def test_an_export_as_of_a_day_says_so_on_its_title_page(capsys, demo_path, tmp_path):
    md = tmp_path / "past.md"
    code, _, err = run(capsys, demo_path, "export", md, "--as-of", "2020-03-01")
    assert code == 0, err
    text = md.read_text(encoding="utf-8")
    head = text.split("## Contents")[0]
    assert "**As of:** 1 March 2020" in head
    assert "as they stood on 1 March 2020" in head
    # the map and the timeline told in words
    assert "## Stakeholder map" in text and "## Positions over time" in text
    assert "**Supports:** influence 4: Metropolitan Police." in text
    assert "conditional from 30 September 2019 until 9 June 2020" in text

    pdf = tmp_path / "past.pdf"
    code, _, err = run(capsys, demo_path, "export", pdf, "--as-of", "2020-03-01")
    assert code == 0, err
    reader = PdfReader(pdf)

    def words_of(page) -> str:
        # Qt spaces words with tabs and writes "fl" as a ligature
        return " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())

    first = words_of(reader.pages[0])
    assert "As of 1 March 2020: each stakeholder's position" in first
    words = " ".join(words_of(page) for page in reader.pages)
    # the drawings are text and vectors in the PDF: their words can be found
    assert "Influence 5" in words and "as of 1 March 2020" in words
    assert "No position" in words

    html = tmp_path / "past.html"
    code, _, _ = run(capsys, demo_path, "export", html, "--as-of", "2020-03-01")
    page = html.read_text(encoding="utf-8")
    assert code == 0 and "As of 1 March 2020" in page and "figure:" not in page


def test_the_odt_holds_the_map_and_the_timeline_as_svg_drawings(capsys, demo_path, tmp_path):
    odt = tmp_path / "past.odt"
    code, _, err = run(capsys, demo_path, "export", odt, "--as-of", "2020-03-01")
    assert code == 0, err
    with zipfile.ZipFile(odt) as archive:
        manifest = archive.read("META-INF/manifest.xml").decode()
        pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
        drawings = [archive.read(name).decode() for name in pictures]
        content = archive.read("content.xml").decode()
    assert manifest.count('media-type="image/svg+xml"') == 2 and len(pictures) == 2
    chart = next(d for d in drawings if "<title>Stakeholder map</title>" in d)
    timeline = next(d for d in drawings if "<title>Positions over time</title>" in d)
    # vectors with their words as text, readable in black and white: stances named, and
    # patterns as well as colours
    for words in ("Influence 5", "Opposes", "No position", "Microsoft"):
        assert words in chart
    for words in ("as of 1 March 2020", "Conditional", "event", "quote", "<pattern"):
        assert words in timeline
    assert 'd=""' not in chart + timeline
    assert "As of" in content and "1 March 2020" in content
