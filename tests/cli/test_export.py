"""`briefing export` end to end: the PDF read back with pypdf and checked with qpdf."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import unicodedata

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from briefing.cli import main
from briefing.core import briefings as b
from briefing.store import open_store
from briefing.store.models import Note, Quote, Source

pytestmark = pytest.mark.both_databases

PRIVATE_MARKER = "Stratford trial: how many alerts"


@pytest.fixture(autouse=True)
def _qt(qapp):
    """The PDF export makes a QGuiApplication if none exists; in one test process the widget
    tests need it to be pytest-qt's QApplication, so make that one first."""
    return qapp


def squash(text: str) -> str:
    """Text as compared: no white space, no hyphens (a line may break at one), ligatures and
    typography folded."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("-", "")
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    return squash("".join(page.extract_text() or "" for page in PdfReader(path).pages))


def export(demo_path, out, *extra):
    return main(["--db", str(demo_path), "export", str(out), *map(str, extra)])


@pytest.fixture
def demo_quotes(demo_path):
    with open_store(demo_path) as store, store.reading() as s:
        return s.scalars(select(Quote.text)).all()


def test_topic_pdf_has_every_quote_outline_metadata_and_no_private_note(
    demo_path, demo_quotes, tmp_path, capsys
):
    out = tmp_path / "topic.pdf"
    assert export(demo_path, out) == 0
    assert "wrote" in capsys.readouterr().out
    text = pdf_text(out)
    for quote in demo_quotes:
        assert squash(quote) in text, quote
    assert squash(PRIVATE_MARKER) not in text
    assert squash("Page 2 of") in text and squash("Contents") in text

    reader = PdfReader(out)
    meta = reader.metadata
    assert meta.title == "Police use of facial recognition"
    assert meta.subject.startswith("Briefing on") and meta.author
    outline = [item.title for item in reader.outline]
    with open_store(demo_path) as store, store.reading() as s:
        assert outline == b.topic_content(s, 1).section_titles
    # Bookmarks point at the pages the contents lists.
    for item in reader.outline:
        page = reader.get_destination_page_number(item) + 1
        assert squash(item.title) in squash(reader.pages[page - 1].extract_text())
    assert abs(float(reader.pages[0].mediabox.width) - 595) < 1  # A4 by default

    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_include_private_and_letter(demo_path, tmp_path):
    out = tmp_path / "private.pdf"
    assert export(demo_path, out, "--include-private", "--page-size", "Letter") == 0
    text = pdf_text(out)
    assert squash(PRIVATE_MARKER) in text
    assert squash("PRIVATE NOTE") in text
    assert abs(float(PdfReader(out).pages[0].mediabox.width) - 612) < 1


def test_links_are_clickable(demo_path, tmp_path):
    with open_store(demo_path) as store, store.writing() as s:
        s.scalars(select(Source)).first().url = "https://example.org/report"
    out = tmp_path / "links.pdf"
    assert export(demo_path, out) == 0
    reader = PdfReader(out)
    uris, targets = [], []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                targets.append(str(annotation["/Dest"]))
            elif "/A" in annotation:
                uris.append(str(annotation["/A"].get_object()["/URI"]))
    assert "https://example.org/report" in uris
    # The contents, Q numbers and source numbers jump to places the PDF defines.
    named = reader.named_destinations
    assert {"section-1", "q1", "source-1"} <= set(targets)
    assert set(targets) <= set(named)


def composed(demo_path, *, items=True, private=False):
    with open_store(demo_path) as store, store.writing() as s:
        bid, _ = b.create_briefing(s, 1, "For the council", author="A. Advocate")
        if items:
            b.add_item(s, bid, "comparison")
            quote = s.scalars(select(Quote.id).order_by(Quote.id.desc())).first()
            b.add_item(s, bid, "quote", quote)
            note = s.scalars(select(Note.id).where(Note.private.is_(private))).first()
            b.add_item(s, bid, "note", note)
    return bid


def test_composed_briefing_to_each_format(demo_path, tmp_path):
    composed(demo_path, private=True)
    for fmt in ("pdf", "md", "html"):
        out = tmp_path / f"council.{fmt}"
        assert export(demo_path, out, "--briefing", "for the council") == 0
        data = out.read_bytes()
        assert data
        text = pdf_text(out) if fmt == "pdf" else squash(data.decode())
        assert squash(PRIVATE_MARKER) not in text
        assert squash("For the council") in text
    out = tmp_path / "council-private.bin"
    assert (
        export(
            demo_path, out, "--briefing", "for the council", "--format", "md", "--include-private"
        )
        == 0
    )
    assert squash(PRIVATE_MARKER) in squash(out.read_text())


@pytest.fixture
def run_bad(demo_path, capsys, store_rows):
    """`run_bad(out, *options)`: an export that must be refused in one line, with the store
    and the destination folder left as they were; the error."""

    def run(out, *extra):
        before = store_rows(demo_path)
        status = export(demo_path, out, *extra)
        error = capsys.readouterr().err
        assert status != 0
        assert error.startswith("briefing: ") and error.count("\n") == 1
        assert store_rows(demo_path) == before
        if out.parent.is_dir():
            assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []
        return error

    return run


def test_missing_folder(demo_path, tmp_path, capsys, run_bad):
    error = run_bad(tmp_path / "nowhere" / "x.pdf")
    assert "does not exist" in error


def test_folder_is_a_file(demo_path, tmp_path, capsys, run_bad):
    (tmp_path / "file").write_text("x")
    error = run_bad(tmp_path / "file" / "x.pdf")
    assert "not a folder" in error


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_read_only_folder(demo_path, tmp_path, capsys, run_bad):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        error = run_bad(folder / "x.pdf")
    finally:
        folder.chmod(0o700)
    assert "not writable" in error and list(folder.iterdir()) == []


def test_unwritable_folder_even_as_root(demo_path, tmp_path, capsys, monkeypatch, run_bad):
    """Root can write anywhere, so CI cannot make a folder it cannot write to: the two ways the
    system says no are stood in for instead (access refused, and refused only at creation, as
    on a read-only mount)."""
    import tempfile

    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    assert "not writable" in run_bad(folder / "x.pdf")
    monkeypatch.setattr(os, "access", real_access)

    def refused(*args, **kwargs):
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    assert "permission denied" in run_bad(folder / "x.md")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["pdf", "md"])
def test_full_disk_leaves_no_partial_file(demo_path, tmp_path, capsys, monkeypatch, fmt, run_bad):
    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"x.{fmt}"
    monkeypatch.setattr(os, "fsync", full)
    error = run_bad(out)
    assert "disk is full" in error
    assert list(folder.iterdir()) == []


def test_full_disk_keeps_the_previous_export(demo_path, tmp_path, capsys, monkeypatch, run_bad):
    out = tmp_path / "keep.md"
    out.write_text("the previous export")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "")))
    run_bad(out)
    assert out.read_text() == "the previous export"


def test_briefing_with_no_items(demo_path, tmp_path, capsys, run_bad):
    composed(demo_path, items=False)
    out = tmp_path / "empty.pdf"
    error = run_bad(out, "--briefing", "For the council")
    assert "has no items" in error and not out.exists()


def test_quote_whose_source_was_removed(demo_path, tmp_path, capsys, run_bad):
    with open_store(demo_path) as store, store.writing() as s:
        s.delete(s.scalars(select(Source)).first())
    out = tmp_path / "orphan.pdf"
    error = run_bad(out)
    assert "lost its source" in error and not out.exists()


def test_unknown_briefing_and_unknown_extension(demo_path, tmp_path, capsys, run_bad):
    composed(demo_path)
    error = run_bad(tmp_path / "x.pdf", "--briefing", "For the councl")
    assert "did you mean 'For the council'" in error
    error = run_bad(tmp_path / "x.docx")
    assert "cannot tell the format" in error


def test_markdown_and_html_exports_load_no_qt(isolated_env, demo_path, tmp_path):
    script = (
        "import sys; from briefing.cli import main; "
        f"assert main(['--db', {str(demo_path)!r}, 'export', {str(tmp_path / 'x.md')!r}]) == 0; "
        f"assert main(['--db', {str(demo_path)!r}, 'export', {str(tmp_path / 'x.html')!r}]) == 0; "
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=isolated_env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")


def test_pdf_export_as_a_user_runs_it_without_a_display(isolated_env, demo_path, tmp_path):
    env = {k: v for k, v in isolated_env.items() if k != "QT_QPA_PLATFORM"}
    out = tmp_path / "from shell.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(demo_path), "export", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}"
    assert len(PdfReader(out).pages) > 5


def test_nothing_runs_off_the_page(demo_path, tmp_path):
    """No text starts outside the text area (20 mm side margins), even in the comparison of nine
    stakeholders, which is split into tables of at most five columns."""
    out = tmp_path / "wide.pdf"
    assert export(demo_path, out, "--page-size", "Letter") == 0
    margin = 20 * 72 / 25.4
    outside = []
    for number, page in enumerate(PdfReader(out).pages, start=1):
        right = float(page.mediabox.width) - margin

        def visit(text, cm, tm, font, size, number=number, right=right):
            x = tm[4] * cm[0] + cm[4]
            if text.strip() and not margin - 1 <= x < right:
                outside.append((number, round(x), text))

        page.extract_text(visitor_text=visit)
    assert outside == []


def test_a_briefing_saved_with_private_notes_still_needs_the_flag(demo_path, tmp_path):
    bid = composed(demo_path, private=True)
    with open_store(demo_path) as store, store.writing() as s:
        b.update_briefing(s, bid, include_private=True)
    out = tmp_path / "x.md"
    assert export(demo_path, out, "--briefing", "For the council") == 0
    assert squash(PRIVATE_MARKER) not in squash(out.read_text())


def test_an_export_can_be_read_by_others_like_any_new_file(demo_path, tmp_path):
    """The temporary file is private (0600) while it is written; the export itself gets the
    permissions of any new file (0666 less the umask), or keeps those of the file it replaces."""
    from briefing.export import files

    out = tmp_path / "shared.md"
    assert export(demo_path, out) == 0
    assert out.stat().st_mode & 0o777 == 0o666 & ~files._UMASK
    out.chmod(0o640)
    assert export(demo_path, out) == 0
    assert out.stat().st_mode & 0o777 == 0o640


SHAREABLE_TODO = "check the small print"


def test_whole_topic_prints_notes_only_when_asked(demo_path, tmp_path):
    """No notes by default; --with-notes the shareable ones; --include-private all, marked."""
    plain, noted, private = (tmp_path / f"{n}.md" for n in ("plain", "noted", "private"))
    assert export(demo_path, plain) == 0
    assert export(demo_path, noted, "--with-notes") == 0
    assert export(demo_path, private, "--include-private") == 0
    plain, noted, private = (squash(p.read_text()) for p in (plain, noted, private))
    assert squash(SHAREABLE_TODO) not in plain and squash(PRIVATE_MARKER) not in plain
    assert squash(SHAREABLE_TODO) in noted and squash(PRIVATE_MARKER) not in noted
    assert squash(SHAREABLE_TODO) in private and squash(PRIVATE_MARKER) in private
    assert squash("PRIVATE NOTE") in private
    assert noted.count(squash(SHAREABLE_TODO)) == 1


def test_opendocument_export_holds_every_quote_and_no_private_note(
    demo_path, demo_quotes, tmp_path
):
    """`export x.odt`: Qt's ODF writer, a valid OpenDocument text package whose text says what
    the PDF says; written to a temporary name and renamed like every export."""
    import xml.etree.ElementTree as ET
    import zipfile

    out = tmp_path / "committee.odt"
    assert export(demo_path, out) == 0
    with zipfile.ZipFile(out) as odt:
        assert odt.namelist()[0] == "mimetype"
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        root = ET.fromstring(odt.read("content.xml"))
    text = squash("".join(root.itertext()))
    for quote in demo_quotes:
        assert squash(quote) in text, quote
    assert squash(PRIVATE_MARKER) not in text
    assert squash("Comparison of stakeholders") in text
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []
    assert export(demo_path, tmp_path / "private.odt", "--include-private") == 0
    with zipfile.ZipFile(tmp_path / "private.odt") as odt:
        private = squash("".join(ET.fromstring(odt.read("content.xml")).itertext()))
    assert squash(PRIVATE_MARKER) in private and squash("PRIVATE NOTE") in private


def test_opendocument_tables_and_lines_read_as_in_the_pdf(demo_path, tmp_path):
    """What LibreOffice showed of Qt's own .odt (converted to PDF and looked at): equal
    columns, cell text printed as tiny superscript, heading rows without their dark
    background, heavy 3-D borders, and a tab before every line break. The mended file holds
    none of these."""
    import xml.etree.ElementTree as ET
    import zipfile

    from briefing.render import palette

    out = tmp_path / "committee.odt"
    assert export(demo_path, out, "--with-notes") == 0
    with zipfile.ZipFile(out) as odt:
        assert odt.namelist()[0] == "mimetype"
        assert odt.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        content = odt.read("content.xml").decode("utf-8")
    ns = {
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    }

    def q(name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{ns[prefix]}}}{local}"

    root = ET.fromstring(content)
    styles = {s.get(q("style:name")): s for s in root.iter(q("style:style"))}
    assert 'text-position="100%"' not in content
    assert "outset" not in content
    for parent in root.iter():
        kids = list(parent)
        for before, after in zip(kids, kids[1:], strict=False):
            assert not (before.tag == q("text:tab") and after.tag == q("text:line-break"))
    # Every table the HTML gives a width (all but the title page's facts) spans the text,
    # its columns in relative units adding up to the whole.
    tables = [
        table
        for table in root.iter(q("table:table"))
        if styles[table.get(q("table:style-name"))]
        .find(q("style:table-properties"))
        .get(q("style:rel-width"))
        == "100%"
    ]
    assert len(tables) >= 5
    assert 'style:width="100pt"' not in content
    for table in tables:
        widths = []
        for column in table.findall(q("table:table-column")):
            style = styles[column.get(q("table:style-name"))]
            given = style.find(q("style:table-column-properties")).get(q("style:rel-column-width"))
            widths.append(int(given.rstrip("*")))
        assert abs(sum(widths) - 10000) <= len(widths), widths
    # "At a glance": 26% / 16% / the rest, and a heading row on the ink colour.
    (glance,) = [
        t
        for t in tables
        if "".join(t.find(q("table:table-row")).itertext()).split()
        == ["Stakeholder", "Stance", "Position"]
    ]
    shares = [
        int(styles[c.get(q("table:style-name"))][0].get(q("style:rel-column-width")).rstrip("*"))
        for c in glance.findall(q("table:table-column"))
    ]
    assert shares == [2600, 1600, 5800]
    heading = glance.find(q("table:table-row"))
    for cell in heading.findall(q("table:table-cell")):
        look = styles[cell.get(q("table:style-name"))].find(q("style:table-cell-properties"))
        assert look.get(q("fo:background-color")).lower() == palette.INK.lower()


def test_opendocument_into_a_missing_folder_is_refused(demo_path, tmp_path, capsys):
    assert export(demo_path, tmp_path / "missing" / "x.odt") == 2
    assert "does not exist" in capsys.readouterr().err
