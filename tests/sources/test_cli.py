"""`import-source`, `sources`, `quote add`, `quotes` and `verify` as a script would run them."""

from __future__ import annotations

import json

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases

LETTER = (
    "Letter to Congress\n\n"
    "We believe now is the time to begin a national dialogue on whether and how facial "
    "recognition technology should be employed by domestic law enforcement agencies.\n"
)
REPORT = (
    "<html><head><title>IBM quits</title><meta property='og:site_name' content='Wire'>"
    "</head><body><nav>Menu</nav><p>Krishna wrote that \u201cnow is the time to begin a "
    "national debate on whether facial recognition should be employed by police.\u201d</p>"
    "<p>He also wrote: \u201cWe believe now is the time \u2014 to begin a national "
    "dialogue.\u201d</p></body></html>"
)


@pytest.fixture
def cli(demo_path, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(demo_path), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def counts(cli) -> dict:
    code, out, _ = cli("info", "--json")
    assert code == 0
    return json.loads(out)["counts"]


def test_import_list_quote_and_verify(cli, tmp_path, make_pdf):
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER, encoding="utf-8")
    report = tmp_path / "report.html"
    report.write_text(REPORT, encoding="utf-8")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(make_pdf([["Cover page"], ["We oppose mass surveillance."]]))

    code, out, err = cli(
        "import-source",
        letter,
        "--title",
        "IBM letter",
        "--publisher",
        "IBM",
        "--date",
        "2020-06-08",
        "--url",
        "https://example.org/letter",
    )
    assert code == 0, err
    letter_id = int(out)
    code, out, err = cli("import-source", report, "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert set(imported) == {"id", "title", "sha256"} and imported["title"] == "IBM quits"
    report_id = imported["id"]
    code, out, _ = cli("import-source", pdf)
    pdf_id = int(out)

    code, out, _ = cli("sources", "--json")
    listed = {s["id"]: s for s in json.loads(out)}
    assert listed[letter_id]["publisher"] == "IBM" and listed[letter_id]["date"] == "2020-06-08"
    assert listed[report_id]["publisher"] == "Wire"
    assert listed[letter_id]["quotes"] == 0 and len(listed[letter_id]["sha256"]) == 64
    code, out, _ = cli("sources")
    assert "IBM letter" in out

    said = ("--speaker", "Arvind Krishna", "--date", "2020-06-08")
    code, out, err = cli(
        "quote",
        "add",
        "--source",
        letter_id,
        *said,
        "now is the time to begin a national dialogue on whether and how facial "
        "recognition technology should be employed",
    )
    assert code == 0, err
    from_letter = int(out)
    code, out, err = cli(
        "quote",
        "add",
        "--source",
        report_id,
        *said,
        "now is the time to begin a national debate on whether facial "
        "recognition should be employed by police.",
    )
    assert code == 0, err
    from_report = int(out)
    code, out, err = cli(
        "quote",
        "add",
        "--source",
        report_id,
        "--speaker",
        "IBM",
        '"We believe now is the time - to begin a national dialogue."',
    )
    assert code == 0, err
    typography_only = int(out)
    code, out, err = cli(
        "quote",
        "add",
        "--source",
        pdf_id,
        "--speaker",
        "IBM",
        "--json",
        "We oppose mass surveillance.",
    )
    assert code == 0, err
    from_pdf = json.loads(out)["id"]

    code, out, _ = cli("quotes", "--json", "--source", letter_id)
    assert [q["id"] for q in json.loads(out)] == [from_letter]
    code, out, _ = cli("quotes", "--json", "--speaker", "arvind krishna")
    assert {from_letter, from_report} <= {q["id"] for q in json.loads(out)}
    code, out, _ = cli("quotes", "--source", pdf_id)
    assert "p. 2" in out

    code, out, _ = cli("verify", "--json")
    assert code == 1  # the report changed the letter's words
    checks = {c["id"]: c for c in json.loads(out)}
    for check in checks.values():
        assert {"id", "source_id", "speaker", "text", "status", "diff", "conflicts"} <= set(check)
    assert checks[from_pdf]["page"] == 2 and checks[from_pdf]["status"] == "exact"
    assert checks[typography_only]["status"] == "normalized"
    assert checks[typography_only]["conflicts"] == []
    assert {"quote_id": from_letter, "kind": "typography"} in checks[typography_only]["agreements"]
    assert checks[from_report]["status"] == "exact"
    # The demo's news report quotes the same letter too, so both quotes also meet its quote.
    (conflict,) = [c for c in checks[from_report]["conflicts"] if c["quote_id"] == from_letter]
    assert "[-debate-] {+dialogue+}" in conflict["diff"]
    assert from_report in [c["quote_id"] for c in checks[from_letter]["conflicts"]]
    assert checks[from_letter]["diff"] is None

    code, out, _ = cli("verify")
    assert code == 1 and "conflicts with quote" in out
    assert f"agrees except for typography with quote {from_letter}" in out


def test_verify_exits_zero_when_every_quote_matches(cli):
    code, out, err = cli("verify")
    assert code == 0, out + err
    assert "with a problem" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("quote", "add", "--source", "1", "--speaker", "Arvind Krishnan", "IBM"),
            "did you mean 'Arvind Krishna'",
        ),
        (
            ("quote", "add", "--source", "1", "--speaker", "IBM", "words nowhere in it at all"),
            "not in source 1",
        ),
        (("quote", "add", "--source", "77", "--speaker", "IBM", "IBM"), "no source with id"),
        (
            ("quote", "add", "--source", "1", "--speaker", "IBM", "--date", "June", "IBM"),
            "not a date",
        ),
        (("quotes", "--speaker", "Nobody"), "no stakeholder"),
        (("import-source", "missing.txt"), "does not exist"),
        (("import-source", "{empty}"), "is empty"),
        (("import-source", "{binary}"), "binary"),
        (("import-source", "{badpdf}"), "not a readable PDF"),
        (("import-source", "{letter}", "--date", "2020-13-45"), "not a date"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_no_change(cli, tmp_path, args, message):
    files = {"empty": b"", "binary": bytes(range(256)) * 4, "badpdf": b"%PDF-1.7\ngarbage"}
    names = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.{'pdf' if name == 'badpdf' else 'txt'}"
        path.write_bytes(data)
        names[name] = str(path)
    (tmp_path / "letter.txt").write_text(LETTER)
    names["letter"] = str(tmp_path / "letter.txt")
    before = counts(cli)
    code, out, err = cli(*(a.format(**names) for a in args))
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert counts(cli) == before


def test_a_source_over_50_mb_is_refused_by_the_command(cli, tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as file:
        file.truncate(50 * 1024 * 1024 + 1)
    before = counts(cli)
    code, _, err = cli("import-source", big)
    assert code == 2 and "larger than 50 MB" in err
    assert counts(cli) == before


def test_a_changed_source_fails_verify_and_shows_in_sources(cli, demo_path, tmp_path, outside_sql):

    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER)
    code, out, _ = cli("import-source", letter)
    first = int(out)
    letter.write_text(LETTER.replace("dialogue", "conversation"))
    code, out, _ = cli("import-source", letter, "--revision-of", first, "--json")
    revision = json.loads(out)["id"]
    code, out, _ = cli("quote", "add", "--source", first, "--speaker", "IBM", "national dialogue")
    assert code == 0
    assert cli("verify")[0] == 0
    outside_sql(demo_path, "UPDATE sources SET text = 'Rewritten.' WHERE id = ?", (first,))
    code, out, _ = cli("sources", "--json")
    listed = {s["id"]: s for s in json.loads(out)}
    assert listed[first]["intact"] is False and listed[revision]["revision_of"] == first
    assert "CHANGED SINCE IMPORT" in cli("sources")[1]
    code, out, _ = cli("verify")
    assert code == 1 and "has changed since it was imported" in out
    code, _, err = cli("quote", "add", "--source", first, "--speaker", "IBM", "Rewritten")
    assert code == 2 and "changed since it was imported" in err


def test_importing_the_same_text_again_is_refused(cli, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER, encoding="utf-8")
    code, out, _ = cli("import-source", letter)
    assert code == 0
    first = out.strip()
    before = counts(cli)
    code, _, err = cli("import-source", letter, "--title", "Again")
    assert code == 2 and err.count("\n") == 1
    assert f"holds the same text as source {first}" in err
    assert counts(cli) == before


def test_quote_add_reported_marks_the_sources_words_about_the_speaker(cli, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(REPORT, encoding="utf-8")
    code, out, _ = cli("import-source", report)
    source = out.strip()
    code, out, _ = cli(
        "quote", "add", "--source", source, "--speaker", "IBM", "--reported", "Krishna wrote that"
    )
    assert code == 0
    quote = int(out)
    code, out, _ = cli("quotes", "--json", "--source", source)
    (listed,) = [q for q in json.loads(out) if q["id"] == quote]
    assert listed["attribution"] == "reported"
    code, out, _ = cli("quotes", "--source", source)
    assert "\u2014 reported, about IBM," in out
