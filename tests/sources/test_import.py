"""Importing sources: each file type and encoding, page offsets, refusals, and the sha256 check."""

from __future__ import annotations

import json
import sqlite3

import pytest

from briefing.core.info import counts
from briefing.core.sources import (
    MAX_BYTES,
    decode_text,
    import_source,
    list_sources,
    open_source,
    page_of,
    read_file,
    sha256_text,
)
from briefing.errors import InputError
from briefing.store.models import Source

TEXT = "Caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve r\u00e9sum\u00e9.\nSecond line \u20ac5."


def store_counts(store) -> dict[str, int]:
    with store.reading() as session:
        return counts(session)


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(TEXT.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(TEXT.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(TEXT.encode("cp1252"), id="windows-1252"),
    ],
)
def test_text_encodings_import_correctly(empty_store, tmp_path, encoded):
    path = tmp_path / "source.txt"
    path.write_bytes(encoded)
    with empty_store.writing() as session:
        imported = import_source(session, path)
    with empty_store.reading() as session:
        document = open_source(session, imported.id)
    assert document.text == TEXT
    assert document.intact
    assert imported.sha256 == sha256_text(TEXT)
    assert document.title == "source"  # the file's name when it states no title


def test_crlf_line_ends_are_kept_as_stored(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"one\r\ntwo\r\n")
    assert read_file(path).text == "one\r\ntwo\r\n"


def test_html_is_reduced_to_readable_text_with_its_facts(tmp_path, news_html):
    path = tmp_path / "news.html"
    path.write_text(news_html, encoding="utf-8")
    extracted = read_file(path)
    assert extracted.kind == "html"
    assert extracted.text == (
        "IBM quits facial recognition\n\n"
        "IBM\u2019s chief executive wrote that \u201cnow is the time to begin a national "
        "debate.\u201d\n\nSecond paragraph & more.\nNew line."
    )
    for gone in ("secret", "alert", "Home", "Subscribe", "Copyright", "Hidden", "color"):
        assert gone not in extracted.text
    assert extracted.title == "IBM quits facial recognition | Example News"
    assert extracted.publisher == "Example News"
    assert extracted.author == "A. Reporter"
    assert extracted.published.isoformat() == "2020-06-09"


def test_markdown_is_stored_as_written_with_title_from_front_matter_or_heading(tmp_path):
    path = tmp_path / "memo.md"
    path.write_text("---\ntitle: Memo\ndate: 2021-03-04\n---\n# Heading\n\nBody *text*.\n")
    extracted = read_file(path)
    assert extracted.text.endswith("Body *text*.\n")
    assert (extracted.title, extracted.published.isoformat()) == ("Memo", "2021-03-04")
    path.write_text("Intro\n\n# The heading\n\nBody.\n")
    assert read_file(path).title == "The heading"


def test_pdf_text_is_extracted_page_by_page_with_page_starts(empty_store, tmp_path, make_pdf):
    path = tmp_path / "letter.pdf"
    path.write_bytes(
        make_pdf(
            [["Dear Congress,", "We write (today) to you."], ["Page two says this."]],
            title="Letter to Congress",
            author="Arvind Krishna",
        )
    )
    with empty_store.writing() as session:
        imported = import_source(session, path, publisher="IBM")
    with empty_store.reading() as session:
        document = open_source(session, imported.id)
        stored = session.get(Source, imported.id)
        assert json.loads(stored.page_starts) == list(document.page_starts)
    assert document.kind == "pdf"
    assert document.title == "Letter to Congress"
    assert document.publisher == "IBM"
    assert document.published.isoformat() == "2020-06-08"
    second = document.text.index("Page two says this.")
    assert document.page_starts == (0, second)
    assert document.page_of(document.text.index("today")) == 1
    assert document.page_of(second) == 2
    assert document.page_of(len(document.text) - 1) == 2


def test_page_of_without_pages_is_none():
    assert page_of(None, 10) is None
    assert page_of([0, 5], 4) == 1
    assert page_of([0, 5], 5) == 2


def test_options_win_over_the_files_own_facts(empty_store, tmp_path, news_html):
    path = tmp_path / "news.html"
    path.write_text(news_html, encoding="utf-8")
    with empty_store.writing() as session:
        imported = import_source(session, path, title="Mine", publisher="Wire")
    with empty_store.reading() as session:
        (summary,) = list_sources(session)
    assert (summary.id, summary.title, summary.publisher) == (imported.id, "Mine", "Wire")
    assert summary.quote_count == 0 and summary.intact


def _big_file(path):
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"  \n\t\n", "is empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n", "not a readable PDF"),
        ("fake.pdf", b"Just text with a pdf name", "not a PDF file"),
        ("empty-page.pdf", None, "no text to extract"),
        ("only-markup.html", b"<html><script>x()</script></html>", "no readable text"),
        ("sheet.xlsx", b"PK\x03\x04", "imports .txt, .md, .html and .pdf"),
        ("huge.txt", None, "larger than 50 MB"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    empty_store, tmp_path, make_pdf, name, content, message
):
    path = tmp_path / name
    if name == "empty-page.pdf":
        path.write_bytes(make_pdf([[]]))
    elif content is None:
        _big_file(path)
    else:
        path.write_bytes(content)
    before = store_counts(empty_store)
    with pytest.raises(InputError, match=message), empty_store.writing() as session:
        import_source(session, path)
    assert store_counts(empty_store) == before


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_file(tmp_path / "nothing.txt")


def test_windows_1252_undefined_bytes_are_not_text():
    with pytest.raises(InputError, match="neither UTF-8"):
        decode_text(b"abc \x81\x8d\x8f\x90\x9d def")


def test_a_changed_text_is_reported_when_read(empty_store, tmp_path):
    path = tmp_path / "source.txt"
    path.write_text("The original words.")
    with empty_store.writing() as session:
        imported = import_source(session, path)
    # Tampering from outside the app: change the stored text but not its sha256.
    with sqlite3.connect(empty_store.path) as connection:
        connection.execute("UPDATE sources SET text = 'Other words.' WHERE id = ?", (imported.id,))
    with empty_store.reading() as session:
        document = open_source(session, imported.id)
        assert not document.intact
        assert "changed since it was imported" in document.integrity_problem()
        assert not list_sources(session)[0].intact


def test_the_app_refuses_to_edit_a_stored_source(empty_store, tmp_path):
    path = tmp_path / "source.txt"
    path.write_text("The original words.")
    with empty_store.writing() as session:
        imported = import_source(session, path)
    with pytest.raises(InputError, match="cannot be edited"), empty_store.writing() as session:
        session.get(Source, imported.id).text = "Rewritten."
    with empty_store.reading() as session:
        assert open_source(session, imported.id).text == "The original words."


def test_a_revision_is_a_new_source(empty_store, tmp_path):
    path = tmp_path / "source.txt"
    path.write_text("First version.")
    with empty_store.writing() as session:
        first = import_source(session, path)
    path.write_text("Corrected version.")
    with empty_store.writing() as session:
        second = import_source(session, path, revision_of=first.id)
    with empty_store.reading() as session:
        sources = list_sources(session)
    assert [s.revision_of_id for s in sources] == [None, first.id]
    assert second.id != first.id
    with pytest.raises(InputError, match="no source with id 99"), empty_store.writing() as s:
        import_source(s, path, revision_of=99)


def test_an_articles_own_header_is_kept(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<body><header>Site name</header><article><header><h1>Headline</h1></header>"
        "<p>Body.</p><footer>By A. Reporter</footer></article><footer>Contact us</footer></body>"
    )
    assert read_file(path).text == "Headline\n\nBody.\n\nBy A. Reporter"
