"""Importing sources and reading them back: the stored text is evidence, checked on every read.

A source is imported from a `.txt`, `.md`, `.html`/`.htm` or `.pdf` file. What is stored is the
readable text, exactly as it will be quoted: quote offsets count Python `str` characters of it.

- Plain text and Markdown are decoded (UTF-8 with or without BOM, UTF-16 with a BOM or recognisably
  without one, else Windows-1252) and stored as decoded; line ends are kept as they are. UTF-16
  without a BOM is recognised by its NUL bytes (every ASCII character, even a space, has one),
  the byte order by which reading gives real text in fewest Unicode blocks; UTF-16 without any
  NUL byte is Chinese, Japanese or Korean text, recognised by its characters.
- HTML is reduced to its readable text with the standard library's `html.parser`: scripts, styles,
  navigation, the page's header and footer (not an article's), asides, forms and hidden elements
  are dropped; block elements
  become line breaks; runs of white space inside a paragraph fold to one space, as a browser would
  show them. Nothing is fetched: images, links and frames are text or nothing.
- A PDF's text is extracted page by page with pypdf; pages are joined by a blank line and the
  offset where each page starts is kept (`Source.page_starts`, JSON), so a quote is cited with its
  page.

Title, date, publisher and author come from the file where it states them (an HTML `<title>` and
`<meta>` tags, a Markdown `# heading` or front matter, a PDF's document information), and the
caller's values win over the file's. A file that is empty, binary, an unreadable PDF, or larger
than 50 MB is refused with an `InputError` before anything is stored.

A file whose text is already stored (the same sha256) is refused, naming the source that holds it.
Sources are never edited: no use case here changes one, and a flush that tries to change a stored
source's text is refused (see `_refuse_edits`). A corrected version is imported as a new source
with `revision_of_id` pointing at the old one. Every read through `open_source` checks the stored
sha256 against the text and reports a mismatch.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import hashlib
import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from briefing.core.changes import Changes, Edited
from briefing.core.lookup import as_id
from briefing.errors import BriefingError, InputError, NotFound
from briefing.store.models import Quote, Source, SourcePassage, source_imports
from briefing.store.search_index import split_passages
from briefing.text import LIMITS, clean_line, clean_text

MAX_BYTES = 50 * 1024 * 1024
KINDS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
PAGE_SEPARATOR = "\n\n"


class ImportCancelled(BriefingError):
    """The user cancelled an import; nothing was stored."""


Progress = Callable[[int, int], None]  # (done, total)
Cancelled = Callable[[], bool]


def _never() -> bool:
    return False


class SourceTampered(BriefingError):
    """A stored source's text no longer matches its sha256: the evidence cannot be trusted."""

    exit_code = 1


_HASH_STEP = 1 << 20  # characters encoded at a time (see `sha256_text`)


def sha256_text(text: str) -> str:
    """The sha256 of the text's UTF-8, encoded a megabyte at a time: one `encode` of 30 MB
    holds Python's lock for tens of milliseconds, during which a window waiting on this thread
    cannot paint (the digest is the same: UTF-8 encodes each character on its own)."""
    digest = hashlib.sha256()
    for at in range(0, len(text), _HASH_STEP):
        digest.update(text[at : at + _HASH_STEP].encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Extracted:
    """What a file yields before it is stored: its text and what it says about itself."""

    kind: str
    text: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    published: dt.date | None = None
    page_starts: tuple[int, ...] | None = None
    url: str = ""  # the page's own address, from its metadata (HTML canonical link or og:url)


# -- decoding ----------------------------------------------------------------------------------

# Control characters that never appear in a text document (tab, line feed, form feed and carriage
# return do). A few of them in a decoded file mean it is not text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes, name: str = "the file") -> str:
    """Bytes of a text file as a string: UTF-8 (BOM or not), UTF-16, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _checked(data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), name)
        except UnicodeDecodeError:
            raise InputError(f"{name} claims to be UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data:
        # No single-byte or UTF-8 text holds a NUL byte; UTF-16 text holds one for every ASCII
        # character (a space, a line end), whatever its script. A valid UTF-8 file with a stray
        # NUL or two is UTF-8 (the NULs are removed with other controls), not UTF-16 gibberish.
        if data.count(b"\x00") * 10 < len(data):
            try:
                return _checked(data.decode("utf-8"), name)
            except UnicodeDecodeError:
                pass
        guessed = _utf16_without_bom(data)
        if guessed is None:
            raise InputError(f"{name} is a binary file, not text")
        return _checked(guessed, name)
    try:
        return _checked(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    # A few bytes could be either; below eight characters a Western reading is the likelier.
    guessed = _utf16_without_bom(data) if len(data) >= 16 else None
    if guessed is not None and _east_asian_share(guessed) >= 0.95:
        return _checked(guessed, name)
    try:
        # Windows-1252 leaves five bytes undefined; a file using them is not Windows-1252 text.
        return _checked(data.decode("cp1252"), name)
    except UnicodeDecodeError:
        pass
    guessed = _utf16_without_bom(data)
    if guessed is not None:
        return _checked(guessed, name)
    raise InputError(
        f"{name} is neither UTF-8, UTF-16 nor Windows-1252 text (is it a binary file?)"
    )


# Unicode categories that real text does not contain (unassigned, private use, surrogates,
# control characters other than white space).
_NOT_TEXT = frozenset({"Cn", "Co", "Cs", "Cc"})


def _plausible_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(
        1 for char in text if char not in "\t\n\r\f" and unicodedata.category(char) in _NOT_TEXT
    )
    return 1 - bad / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 bytes without a BOM, or None if they are not UTF-16 text.

    Both byte orders are tried. Text in either order is accepted only if nearly all its
    characters are assigned and printable; of the two, the one whose characters fall in fewer
    256-character blocks of Unicode wins: a script sits in one or a few blocks (Latin, Cyrillic,
    Greek, Arabic: one block and ASCII's), while the wrong byte order scatters it over many.
    """
    if len(data) < 2 or len(data) % 2:
        return None
    candidates = []
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:200_000]
        if _plausible_share(sample) >= 0.98:
            candidates.append((len({ord(c) >> 8 for c in sample}), codec, text))
    if not candidates:
        return None
    return min(candidates)[2]


# Where the characters of Chinese, Japanese and Korean text lie: CJK punctuation, kana, Hangul
# jamo and syllables, CJK ideographs, compatibility ideographs and full-width forms.
_EAST_ASIAN = (
    (0x1100, 0x11FF),
    (0x3000, 0x30FF),
    (0x3130, 0x318F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)


def _east_asian_share(text: str) -> float:
    """How much of `text` is Chinese, Japanese or Korean. UTF-16 bytes without a NUL hold no
    ASCII character (not a space, not a line end), so they are text only in those scripts.
    Western text in Windows-1252 read as UTF-16 also gives ideographs (two ASCII letters make
    one), but its spaces, punctuation and accented letters fall outside those scripts."""
    sample = text[:200_000]
    if not sample:
        return 0.0
    inside = sum(1 for c in sample if any(lo <= ord(c) <= hi for lo, hi in _EAST_ASIAN))
    return inside / len(sample)


def _checked(text: str, name: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls and controls > max(2, len(text) // 1000):
        raise InputError(f"{name} is a binary file, not text")
    return text


# -- HTML --------------------------------------------------------------------------------------

# Elements whose content is not the document's readable text.
_SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "aside",
        "form",
        "button",
        "select",
        "svg",
        "canvas",
        "iframe",
        "object",
        "head",
    }
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tr",
        "figure",
        "figcaption",
        "address",
        "hr",
        "title",
        "body",
    }
)
_SKIPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_DATE_META = ("article:published_time", "date", "dc.date", "dcterms.date", "pubdate")
# Cookie and consent banners are page furniture too: an element whose id, class or label names
# one is skipped with what it holds ("We value your privacy ... Accept all cookies").
_CONSENT = re.compile(r"cookie|consent|gdpr|cmp-?(?:banner|container)|onetrust|didomi", re.I)


def _is_consent_banner(attributes: dict[str, str]) -> bool:
    return any(
        _CONSENT.search(attributes.get(name, ""))
        for name in ("id", "class", "aria-label")
    )


class _ReadableText(HTMLParser):
    """A page's readable text. Each tag costs constant time (amortised) whatever the nesting:
    the open elements are a stack with a count per tag name, so neither "am I in an article?"
    nor an end tag that closes nothing scans the stack (100,000 nested `<div>`s took minutes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0
        self._stack: list[tuple[str, bool]] = []  # (tag, skipping because of this element)
        self._open: dict[str, int] = {}  # how many elements of each tag the stack holds
        self._in_title = False
        self._in_pre = 0
        self.title = ""
        self.meta: dict[str, str] = {}
        self.time_datetime = ""
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or "").lower()
            if key and "content" in attributes:
                self.meta.setdefault(key, attributes["content"].strip())
            return
        if tag == "link":
            if "canonical" in attributes.get("rel", "").lower().split() and not self.canonical:
                self.canonical = attributes.get("href", "").strip()
            return
        if tag == "time" and not self.time_datetime:
            self.time_datetime = attributes.get("datetime", "")
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag == "br" and not self._skip_depth:
                self._current.append("\n")
            elif tag == "hr" and not self._skip_depth:
                self._break()
            return
        hidden = (
            "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or attributes.get("role", "").lower() in _SKIPPED_ROLES
            or _is_consent_banner(attributes)
        )
        in_article = bool(self._open.get("article") or self._open.get("main"))
        # A page's header and footer are furniture; an article's header holds its headline.
        furniture = tag in ("header", "footer") and not in_article
        skips = tag in _SKIPPED or hidden or furniture
        self._stack.append((tag, skips))
        self._open[tag] = self._open.get(tag, 0) + 1
        if skips:
            self._skip_depth += 1
        if tag == "pre":
            self._in_pre += 1
        if tag in _BLOCKS and not self._skip_depth:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _VOID:
            return
        # Close up to the matching open element; stray end tags are ignored, as browsers do.
        if self._open.get(tag):
            while True:
                closed, skipped = self._stack.pop()
                self._open[closed] -= 1
                if skipped:
                    self._skip_depth -= 1
                if closed == "pre":
                    self._in_pre -= 1
                if closed == tag:
                    break
        if tag in _BLOCKS and not self._skip_depth:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip_depth:
            return
        if self._in_pre:
            self._current.append(data)
        else:
            self._current.append(re.sub(r"\s+", " ", data))

    def _break(self) -> None:
        if not self._current:
            return  # nothing since the last break (nested blocks): the common case, kept cheap
        text = "".join(self._current)
        self._current = []
        text = text.strip("\n") if self._in_pre else re.sub(r" *\n *", "\n", text).strip()
        if text:
            self.paragraphs.append(text)

    def close(self) -> None:
        super().close()
        self._break()


def html_to_text(markup: str) -> Extracted:
    parser = _ReadableText()
    parser.feed(markup)
    parser.close()
    meta = parser.meta
    publisher = meta.get("og:site_name", "") or meta.get("publisher", "")
    title = meta.get("og:title") or _without_site_name(
        re.sub(r"\s+", " ", parser.title).strip(), publisher
    )
    published = None
    for key in _DATE_META:
        published = published or _date_in(meta.get(key, ""))
    published = published or _date_in(parser.time_datetime)
    # The page's own address: the canonical link, else og:url; only a web address is kept.
    url = next(
        (
            address
            for address in (parser.canonical, meta.get("og:url", ""))
            if re.match(r"https?://\S+$", address, flags=re.I)
        ),
        "",
    )
    return Extracted(
        kind="html",
        text="\n\n".join(parser.paragraphs),
        title=title,
        publisher=publisher,
        author=meta.get("author", "") or meta.get("article:author", ""),
        published=published,
        url=url,
    )


def _without_site_name(title: str, publisher: str) -> str:
    """A page title without the site's name that sites append ("Headline | Example News"): the
    name is the source's publisher, not part of its title."""
    if not publisher:
        return title
    found = re.match(rf"(.+?)\s+[|\-\u2013\u2014\u00b7:]+\s+{re.escape(publisher)}\s*$", title)
    return found.group(1) if found else title


def _date_in(text: str) -> dt.date | None:
    found = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None


# -- Markdown and text ------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)


def markdown_facts(text: str) -> Extracted:
    """The Markdown is stored as written; front matter and the first heading give its facts."""
    facts: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                facts[key.strip().lower()] = value.strip().strip("\"'")
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
    return Extracted(
        kind="markdown",
        text=text,
        title=facts.get("title") or (heading.group(1) if heading else ""),
        publisher=facts.get("publisher", ""),
        author=facts.get("author", ""),
        published=_date_in(facts.get("date", "")),
    )


# -- PDF ---------------------------------------------------------------------------------------


def pdf_to_text(
    data: bytes, name: str, progress: Progress | None = None, cancelled: Cancelled = _never
) -> Extracted:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the user's concern
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError(f"{name} is not a PDF file (it lacks the %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name} is a password-protected PDF; save an unprotected copy")
        # pypdf renders the gap between separately placed words (as Qt and others write them)
        # as a tab; a PDF has no tab stops, so it is a space between words.
        pages = []
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, start=1):
            if cancelled():
                raise ImportCancelled(f"the import of {name} was cancelled")
            page_text = clean_text((page.extract_text() or "").replace("\t", " "), limit=0)
            pages.append(page_text.strip())
            if progress is not None:
                progress(number, total)
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
        author = str(info.get("/Author") or "").strip()
        created = str(info.get("/CreationDate") or "")
    except (InputError, ImportCancelled):
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise InputError(f"{name} is not a readable PDF ({error})") from None
    if not any(pages):
        raise InputError(
            f"{name} has no text to extract (a scanned PDF needs text recognition first)"
        )
    starts: list[int] = []
    offset = 0
    for index, page in enumerate(pages):
        if index:
            offset += len(PAGE_SEPARATOR)
        starts.append(offset)
        offset += len(page)
    published = None
    pdf_date = re.match(r"D:(\d{4})(\d{2})(\d{2})", created)
    if pdf_date:
        published = _date_in("-".join(pdf_date.groups()))
    return Extracted(
        kind="pdf",
        text=PAGE_SEPARATOR.join(pages),
        title=title,
        author=author,
        published=published,
        page_starts=tuple(starts),
    )


def page_of(page_starts: list[int] | tuple[int, ...] | None, offset: int) -> int | None:
    """The 1-based page on which `offset` lies, or None for a source without pages."""
    if not page_starts:
        return None
    return max(1, bisect_right(list(page_starts), offset))


# -- reading a file ----------------------------------------------------------------------------


def read_file(
    path: Path, *, progress: Progress | None = None, cancelled: Cancelled = _never
) -> Extracted:
    """A file's readable text and facts, or InputError saying why it cannot be a source.

    `progress(done, total)` is told of each page of a PDF (the slow part of reading one), and
    `cancelled()` is asked between pages; if it says yes, ImportCancelled is raised.
    """
    name = path.name
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{name}: Briefing imports .txt, .md, .html and .pdf files, not {path.suffix or 'this'}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{name} is {size / 1024 / 1024:.1f} MB; sources larger than 50 MB are refused"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{path} cannot be read: {error.strerror or error}") from None
    if not data.strip():
        raise InputError(f"{name} is empty")
    if kind == "pdf":
        extracted = pdf_to_text(data, name, progress, cancelled)
    else:
        # a stray control character the file holds is removed, as from all text entering the store
        text = clean_text(decode_text(data, name), limit=0)
        if kind == "html":
            extracted = html_to_text(text)
        elif kind == "markdown":
            extracted = markdown_facts(text)
        else:
            extracted = Extracted(kind="text", text=text)
    if not extracted.text.strip():
        raise InputError(f"{name} holds no readable text")
    return extracted


# -- use cases ---------------------------------------------------------------------------------


def _added(source_id: int) -> Edited:
    """A new source: no stored quote, card or list entry refers to it yet (see `added_record`)."""
    return Edited(frozenset({"source"}), source_id, "added")


@dataclass(frozen=True)
class Imported:
    id: int
    title: str
    sha256: str
    changes: Changes


def refuse_stored_text(session: Session, name: str, text: str) -> None:
    """InputError if `text` is already stored as a source: the same text twice would split one
    piece of evidence's quotes over two sources."""
    same = session.execute(
        select(Source.id, Source.title).where(Source.sha256 == sha256_text(text)).limit(1)
    ).first()
    if same is not None:
        raise InputError(
            f"{name} holds the same text as source {same.id} ({same.title}), which is "
            "already stored; nothing was imported"
        )


def _fact(given: str | None, from_file: str, what: str) -> str:
    """A source's title, publisher, author or address: what the user gave, refused in words
    when too long; else what the file says, shortened to the limit (`briefing.text.LIMITS`)."""
    if given is not None:
        return clean_line(given, what)
    found = clean_line(from_file, what, limit=0)
    limit = LIMITS[what]
    return found if len(found) <= limit else found[: limit - 1].rstrip() + "\u2026"


def import_source(
    session: Session,
    path: Path,
    *,
    title: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
    published: dt.date | None = None,
    url: str | None = None,
    revision_of: int | None = None,
    extracted: Extracted | None = None,
) -> Imported:
    """Store the file's text as a new source. The caller's facts win over the file's."""
    extracted = extracted or read_file(path)
    if revision_of is not None and session.get(Source, revision_of) is None:
        raise NotFound(f"there is no source with id {revision_of} to revise")
    refuse_stored_text(session, path.name, extracted.text)
    source = _new_source(
        session,
        path,
        extracted,
        sha256_text(extracted.text),
        title=title,
        publisher=publisher,
        author=author,
        published=published,
        url=url,
        revision_of=revision_of,
    )
    session.add(source)
    session.flush()
    return Imported(source.id, source.title, source.sha256, _added(source.id))


def _new_source(
    session: Session,
    path: Path,
    extracted: Extracted,
    digest: str,
    *,
    title: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
    published: dt.date | None = None,
    url: str | None = None,
    revision_of: int | None = None,
) -> Source:
    return Source(
        title=_fact(title or None, extracted.title or path.stem, "source title"),
        publisher=_fact(publisher, extracted.publisher, "publisher"),
        author=_fact(author, extracted.author, "author"),
        url=_fact(url or None, extracted.url or "", "address"),
        published=published or extracted.published,
        kind=extracted.kind,
        text=extracted.text,
        sha256=digest,
        page_starts=json.dumps(list(extracted.page_starts)) if extracted.page_starts else None,
        revision_of_id=revision_of,
    )


# -- importing in steps ------------------------------------------------------------------------

# Passages (about 1.5 kB each) written per step of an import in steps: some 300 kB of text and
# its rows of the search index, a transaction of tens of milliseconds.
PASSAGES_PER_STEP = 200

Write = Callable[[Callable[[Session], object]], object]  # runs work in one transaction


def unfinished_ids():
    """The ids of sources whose import in steps has not finished (a select, for `not_in`)."""
    return select(source_imports.c.source_id)


def is_unfinished(session: Session, source_id: int) -> bool:
    return (
        session.execute(
            select(source_imports.c.source_id).where(source_imports.c.source_id == source_id)
        ).first()
        is not None
    )


def import_in_steps(
    write: Write,
    path: Path,
    *,
    extracted: Extracted | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled = _never,
    finish: Callable[[Session, int], None] | None = None,
    per_step: int = PASSAGES_PER_STEP,
    **facts,
) -> Imported:
    """Store a file as a new source in bounded transactions: `write(work)` runs `work(session)`
    in one transaction of its own (the window's one writer; `Store.writing` elsewhere).

    The first step writes the source's row (its text, sha256 and facts) marked unfinished; each
    next step writes `per_step` of its passages, which the search index's triggers take; the
    last deletes the mark and runs `finish(session, source_id)` (marking it a primary document,
    say). Another write queued meanwhile runs between two steps. Until the last step commits
    the source is hidden from lists, search and look-ups, and the next opening of the store
    deletes it if it never finishes (`store.database.remove_unfinished_imports`). When
    `cancelled()` says yes, or a step fails, what was written is deleted (in steps too) and
    ImportCancelled, or the failure, is raised.
    """
    extracted = extracted or read_file(path)
    text = extracted.text
    spans = split_passages(text)  # here, outside any transaction
    digest = sha256_text(text)

    def begin(session: Session) -> Imported:
        if cancelled():
            raise ImportCancelled(f"the import of {path.name} was cancelled")
        return _begin(session, path, extracted, digest, facts)

    begun: Imported = write(begin)  # type: ignore[assignment]
    source_id = begun.id
    try:
        total = len(spans)
        for first in range(0, total, per_step):
            if cancelled():
                raise ImportCancelled(f"the import of {path.name} was cancelled")
            chunk = spans[first : first + per_step]
            write(lambda session, chunk=chunk: _store_passages(session, source_id, text, chunk))
            if progress is not None:
                progress(min(first + per_step, total), total)

        def end(session: Session) -> Imported:
            if cancelled():
                raise ImportCancelled(f"the import of {path.name} was cancelled")
            session.execute(delete(source_imports).where(source_imports.c.source_id == source_id))
            if finish is not None:
                finish(session, source_id)
            return begun

        return write(end)  # type: ignore[return-value]
    except BaseException:
        # Should this fail too, the next opening removes it; what failed first is raised.
        with contextlib.suppress(Exception):
            abandon_import(write, source_id)
        raise


def _begin(
    session: Session, path: Path, extracted: Extracted, digest: str, facts: dict
) -> Imported:
    revision_of = facts.get("revision_of")
    if revision_of is not None and session.get(Source, revision_of) is None:
        raise NotFound(f"there is no source with id {revision_of} to revise")
    refuse_stored_text(session, path.name, extracted.text)
    source = _new_source(session, path, extracted, digest, **facts)
    source.passages_later = True  # the next steps store them (see `models._store_passages`)
    session.add(source)
    session.flush()
    session.execute(insert(source_imports).values(source_id=source.id))
    return Imported(source.id, source.title, source.sha256, _added(source.id))


def _store_passages(
    session: Session, source_id: int, text: str, spans: list[tuple[int, int]]
) -> None:
    if not is_unfinished(session, source_id):
        raise ImportCancelled("the source being imported is gone")
    session.execute(
        SourcePassage.__table__.insert(),
        [
            {"source_id": source_id, "start": start, "end": end, "text": text[start:end]}
            for start, end in spans
        ],
    )


def abandon_import(write: Write, source_id: int, per_step: int = PASSAGES_PER_STEP * 5) -> None:
    """Delete an unfinished import's source and what it wrote, a few passages per transaction
    (each deletes rows of the search index too); a finished source is never touched."""

    def step(session: Session) -> bool:
        if not is_unfinished(session, source_id):
            return True
        some = select(SourcePassage.id).where(SourcePassage.source_id == source_id).limit(per_step)
        if session.execute(delete(SourcePassage).where(SourcePassage.id.in_(some))).rowcount:
            return False
        session.execute(delete(Source).where(Source.id == source_id))
        session.execute(delete(source_imports).where(source_imports.c.source_id == source_id))
        return True

    done = False
    while not done:  # a step at a time, each its own transaction on the writer
        done = write(step)


@dataclass(frozen=True)
class SourceSummary:
    id: int
    title: str
    publisher: str
    author: str
    url: str
    published: dt.date | None
    kind: str
    sha256: str
    quote_count: int
    revision_of_id: int | None
    intact: bool | None  # None: not checked (a list reads no text unless asked to check)


_SUMMARY_COLUMNS = (
    Source.id,
    Source.title,
    Source.publisher,
    Source.author,
    Source.url,
    Source.published,
    Source.kind,
    Source.sha256,
    Source.revision_of_id,
)


def source_intact(session: Session, source_id: int) -> bool:
    """Whether a stored source's text still matches its sha256: reads that one text."""
    row = session.execute(select(Source.text, Source.sha256).where(Source.id == source_id)).first()
    if row is None:
        raise NotFound(f"there is no source with id {source_id}")
    return sha256_text(row.text) == row.sha256


def list_sources(session: Session, *, check: bool = False) -> list[SourceSummary]:
    """Every source's facts, without its text. With `check`, each text is read (one at a time,
    so memory holds one source, not all) and its sha256 checked; otherwise `intact` is None."""
    counts = dict(
        session.execute(
            select(Quote.source_id, func.count(Quote.id))
            .where(Quote.source_id.is_not(None))
            .group_by(Quote.source_id)
        ).all()
    )
    found = []
    listed = select(*_SUMMARY_COLUMNS).where(Source.id.not_in(unfinished_ids()))
    for source in session.execute(listed.order_by(Source.id)).all():
        found.append(
            SourceSummary(
                id=source.id,
                title=source.title,
                publisher=source.publisher,
                author=source.author,
                url=source.url,
                published=source.published,
                kind=source.kind,
                sha256=source.sha256,
                quote_count=counts.get(source.id, 0),
                revision_of_id=source.revision_of_id,
                intact=source_intact(session, source.id) if check else None,
            )
        )
    return found


@dataclass(frozen=True)
class SourceDocument:
    """A source's text as checked on reading, with its facts and pages."""

    id: int
    title: str
    publisher: str
    published: dt.date | None
    kind: str
    text: str
    sha256: str
    page_starts: tuple[int, ...] | None
    intact: bool

    def page_of(self, offset: int) -> int | None:
        return page_of(self.page_starts, offset)

    def integrity_problem(self) -> str | None:
        if self.intact:
            return None
        return (
            f"source {self.id} ({self.title}) has changed since it was imported: its text no "
            f"longer matches its sha256 {self.sha256[:12]}\u2026"
        )


def find_source(session: Session, source_id: int | str) -> Source:
    key = str(source_id).strip()
    record_id = as_id(key)
    source = session.get(Source, record_id) if record_id is not None else None
    if source is None or is_unfinished(session, source.id):  # an import under way: not yet one
        raise NotFound(f"there is no source with id {source_id!r}; `briefing sources` lists them")
    return source


def open_source(session: Session, source_id: int | str, *, check: bool = True) -> SourceDocument:
    """A source's text, with the sha256 checked: `intact` is False when the text was changed.
    With `check=False` the text is not hashed (`intact` says True): for a caller that shows the
    text at once and checks it with `text_intact` later, off its own thread."""
    source = find_source(session, source_id)
    return SourceDocument(
        id=source.id,
        title=source.title,
        publisher=source.publisher,
        published=source.published,
        kind=source.kind,
        text=source.text,
        sha256=source.sha256,
        page_starts=tuple(json.loads(source.page_starts)) if source.page_starts else None,
        intact=sha256_text(source.text) == source.sha256 if check else True,
    )


def text_intact(document: SourceDocument) -> bool:
    """Whether a source's text still matches the sha256 it was imported with."""
    return sha256_text(document.text) == document.sha256


@event.listens_for(Session, "before_flush")
def _refuse_edits(session: Session, _context, _instances) -> None:
    """A stored source's text is evidence: any session that tries to change it fails."""
    for instance in session.dirty:
        if not isinstance(instance, Source):
            continue
        state = inspect(instance)
        for name in ("text", "sha256", "page_starts"):
            if state.attrs[name].history.has_changes():
                raise InputError(
                    f"source {instance.id} is evidence and cannot be edited; import the corrected "
                    "text as a new source, marked as a revision of this one"
                )
