"""Importing sources: each file type and encoding, page offsets, refusals, and the sha256 check."""

from __future__ import annotations

import json

import pytest

from briefing.core.info import counts
from briefing.core.sources import (
    MAX_BYTES,
    decode_text,
    html_to_text,
    import_source,
    list_sources,
    open_source,
    page_of,
    read_file,
    sha256_text,
)
from briefing.errors import InputError
from briefing.store.models import Source

pytestmark = pytest.mark.both_databases

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


# Texts with no Latin letters: in UTF-16 without a BOM, some have NUL bytes only where they
# have spaces or line ends, and some (Chinese, Japanese) have none at all.
SCRIPTS = {
    "russian": "\u041c\u044b \u0441\u0447\u0438\u0442\u0430\u0435\u043c, \u0447\u0442\u043e "
    "\u0441\u0435\u0439\u0447\u0430\u0441 \u0432\u0440\u0435\u043c\u044f.\n\u0414\u0430.",
    "greek": "\u03a0\u03b9\u03c3\u03c4\u03b5\u03cd\u03bf\u03c5\u03bc\u03b5 \u03cc\u03c4\u03b9 "
    "\u03c4\u03ce\u03c1\u03b1.",
    "arabic": "\u0646\u0639\u062a\u0642\u062f \u0623\u0646 \u0627\u0644\u0648\u0642\u062a "
    "\u0642\u062f \u062d\u0627\u0646.",
    "chinese": "\u6211\u4eec\u8ba4\u4e3a\u73b0\u5728\u662f\u5f00\u59cb\u5168\u56fd\u5bf9"
    "\u8bdd\u7684\u65f6\u5019\u4e86\u3002",
    "japanese": "\u79c1\u305f\u3061\u306f\u3001\u4eca\u3053\u305d\u56fd\u6c11\u7684\u306a"
    "\u5bfe\u8a71\u3092\u59cb\u3081\u308b\u6642\u3060\u3068\u4fe1\u3058\u3066\u3044\u307e"
    "\u3059\u3002",
    "korean": "\uc6b0\ub9ac\ub294 \uc9c0\uae08\uc774 \ub300\ud654\ub97c \uc2dc\uc791\ud560 "
    "\ub54c\ub77c\uace0 \ubbff\uc2b5\ub2c8\ub2e4.",
}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-8"])
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_utf16_without_bom_or_latin_letters_is_read_correctly(script, codec):
    text = SCRIPTS[script]
    assert decode_text(text.encode(codec)) == text


@pytest.mark.parametrize(
    "text",
    [
        "\u00c7a co\u00fbte tr\u00e8s cher \u00e0 l'\u00c9tat: \u00e9l\u00e8ve, d\u00e9j\u00e0. "
        * 3,
        "Gr\u00f6\u00dfe \u00fcberm\u00e4\u00dfig",
        "\u00bfQu\u00e9 pas\u00f3? A\u00f1o ni\u00f1o.",
        "D\u00e9j\u00e0",
    ],
)
def test_accented_windows_1252_text_is_not_taken_for_utf16(text):
    assert decode_text(text.encode("cp1252")) == text


def test_binary_bytes_with_nul_are_not_taken_for_utf16():
    with pytest.raises(InputError, match="binary"):
        decode_text(bytes(range(256)) * 4)


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
    assert extracted.title == "IBM quits facial recognition"  # the site name is the publisher
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
        (summary,) = list_sources(session, check=True)
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


def test_a_changed_text_is_reported_when_read(empty_path, empty_store, tmp_path, outside_sql):
    path = tmp_path / "source.txt"
    path.write_text("The original words.")
    with empty_store.writing() as session:
        imported = import_source(session, path)
    # Tampering from outside the app: change the stored text but not its sha256.
    outside_sql(empty_path, "UPDATE sources SET text = 'Other words.' WHERE id = ?", (imported.id,))
    with empty_store.reading() as session:
        document = open_source(session, imported.id)
        assert not document.intact
        assert "changed since it was imported" in document.integrity_problem()
        assert not list_sources(session, check=True)[0].intact
        assert list_sources(session)[0].intact is None  # a list reads no text unless asked


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


def test_a_pdf_is_read_page_by_page_with_progress_and_can_be_cancelled(tmp_path, make_pdf):
    from briefing.core.sources import ImportCancelled

    path = tmp_path / "three.pdf"
    path.write_bytes(make_pdf([["One."], ["Two."], ["Three."]]))
    seen: list[tuple[int, int]] = []
    read_file(path, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ImportCancelled):
        read_file(path, cancelled=lambda: len(seen) >= 4, progress=lambda d, t: seen.append(d))
    assert len(seen) == 4  # stopped after the first page


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Police scan faces | Example Gazette", "Police scan faces"),
        ("Police scan faces \u2013 Example Gazette", "Police scan faces"),
        ("Police scan faces", "Police scan faces"),
        ("Example Gazette", "Example Gazette"),
        ("Police scan faces | Other Site", "Police scan faces | Other Site"),
    ],
)
def test_a_page_title_loses_the_site_name_it_ends_with(title, expected):
    markup = (
        f"<title>{title}</title><meta property='og:site_name' content='Example Gazette'>"
        "<p>Words.</p>"
    )
    extracted = html_to_text(markup)
    assert extracted.title == expected
    assert extracted.publisher == "Example Gazette"


def test_the_same_text_twice_is_refused_naming_the_stored_source(empty_store, tmp_path):
    first = tmp_path / "letter.txt"
    first.write_text(TEXT, encoding="utf-8")
    again = tmp_path / "copy.txt"
    again.write_text(TEXT, encoding="utf-16")  # another file, the same text
    with empty_store.writing() as session:
        stored = import_source(session, first, title="The letter")
    before = store_counts(empty_store)
    with pytest.raises(InputError) as refused, empty_store.writing() as session:
        import_source(session, again)
    assert str(refused.value) == (
        f"copy.txt holds the same text as source {stored.id} (The letter), which is already "
        "stored; nothing was imported"
    )
    assert store_counts(empty_store) == before


def test_html_of_any_depth_and_stray_end_tags_keeps_its_text():
    from briefing.core.sources import html_to_text

    deep = "<body>" + "<div>" * 50_000 + "deep words" + "</div>" * 50_000 + "</body>"
    assert html_to_text(deep).text == "deep words"
    unclosed = "<body>" + "<b>x" * 20_000 + "</i></span>" * 100 + "</body>"
    assert html_to_text(unclosed).text == "x" * 20_000
    page = (
        "<body><header>Site</header><article><header>Headline</header>"
        "<p>First</i> words</p></article><nav>menu</nav><footer>foot</footer></body>"
    )
    assert html_to_text(page).text == "Headline\n\nFirst words"


ARTICLE_WITH_METADATA = """<!DOCTYPE html><html><head>
<title>Police scan shoppers' faces - Tech Policy Daily</title>
<link rel="stylesheet" href="/s.css">
<link rel="canonical" href="https://techpolicy.example/2020/06/12/police-scan">
<meta property="og:url" content="https://techpolicy.example/amp/police-scan">
<meta property="og:site_name" content="Tech Policy Daily">
<meta property="article:published_time" content="2020-06-12T08:30:00Z">
</head><body>
<div id="cookie-banner" role="dialog"><p>We value your privacy. We use cookies.</p>
<button>Accept all</button></div>
<div class="cmp-container"><p>Manage consent preferences</p></div>
<section class="gdpr-notice"><p>Your choices matter.</p></section>
<article><h1>Police scan shoppers' faces</h1><p>The trial ran for three days.</p></article>
</body></html>"""


def test_html_metadata_gives_the_address_site_and_date_and_banners_go(tmp_path):
    extracted = html_to_text(ARTICLE_WITH_METADATA)
    assert extracted.url == "https://techpolicy.example/2020/06/12/police-scan"  # canonical
    assert extracted.publisher == "Tech Policy Daily"
    assert extracted.published.isoformat() == "2020-06-12"
    assert extracted.title == "Police scan shoppers' faces"
    assert extracted.text == "Police scan shoppers' faces\n\nThe trial ran for three days."
    for gone in ("privacy", "cookies", "Accept", "consent", "choices"):
        assert gone not in extracted.text
    # Without a canonical link, og:url; an address that is not a web address is not kept.
    assert (
        html_to_text(ARTICLE_WITH_METADATA.replace('rel="canonical"', 'rel="alternate"')).url
        == "https://techpolicy.example/amp/police-scan"
    )
    odd = ARTICLE_WITH_METADATA.replace("https://techpolicy.example/2020", "javascript:alert(1)//")
    assert html_to_text(odd).url == "https://techpolicy.example/amp/police-scan"


def test_an_imported_pages_address_is_stored_unless_given(empty_store, tmp_path):
    path = tmp_path / "article.html"
    path.write_text(ARTICLE_WITH_METADATA, encoding="utf-8")
    with empty_store.writing() as session:
        first = import_source(session, path)
        source = session.get(Source, first.id)
        assert source.url == "https://techpolicy.example/2020/06/12/police-scan"
        assert source.publisher == "Tech Policy Daily"
        session.rollback()
    with empty_store.writing() as session:
        given = import_source(session, path, url="https://mirror.example/a")
        assert session.get(Source, given.id).url == "https://mirror.example/a"
