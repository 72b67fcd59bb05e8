"""One rule for text that enters the store: names, tags and free text (no Qt, no SQL).

Every way in (the command line, the window, imports) passes text through here, so the same input
is refused, or cleaned, the same way everywhere.

Names of stakeholders, topics and tags (`clean_name`):

- NFC-normalised, surrounding white space trimmed and runs of white space (any Unicode space,
  a no-break space included) made one ordinary space, so two names that look alike at the start
  and end, or differ only in how a letter is encoded, are the same name.
- Control, format and separator characters are refused with a message that says which one and
  where: Unicode categories Cc (NUL, escape...), Cf (zero-width space, soft hyphen, the bidi
  embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069, marks U+200E/U+200F), Zl, Zp,
  Co (private use) and Cs. A name is read on its own, on a card or in a PDF heading, where an
  override would reverse the words that follow it ("\\u202eMBI" shows as "IBM"). The one
  exception: a zero-width non-joiner or joiner (U+200C, U+200D) between two letters of a script
  that needs them (Persian, Arabic, the Indic scripts...), never next to Latin, Greek or Cyrillic.
- `name_key` is the stored key that lookups and the UNIQUE index use: NFC, then Unicode case
  folding (`str.casefold`, full folding: "ß" is "ss", Greek final sigma is sigma), then NFC
  again. "Ärzte ohne Grenzen", "ÄRZTE OHNE GRENZEN" and the same words typed with a combining
  diaeresis have one key. Default case folding keeps Turkish dotless "ı" apart from "i" (and
  "İ" folds to "i" with a combining dot): the keys follow Unicode, and the look-alike check
  below warns about such pairs.
- `skeleton` is for look-alikes (UTS #39's idea, with the table below): two names whose
  skeletons are equal may be read as the same name ("I\\u0412M" with a Cyrillic Ve beside
  "IBM"). Adding such a name needs a confirmation in the window and `--allow-similar` on the
  command line; `core.editing.similar_stakeholder` and `similar_topic` find them.

Free text (`clean_text`: quotes' speakers aside, notes, summaries, descriptions, source titles,
publishers, authors, addresses, imported source text): NUL and every other C0/C1 control
character except tab and the line ends (newline, carriage return: a source keeps its CRLF) are
removed, as are the Unicode non-characters U+FFFE/U+FFFF; one-line fields (`clean_line`) also
make any white space one space; text over its field's limit (`LIMITS`) is refused in words.
Removing (rather than refusing) is the rule for long text, since an imported page or a pasted
paragraph routinely carries a stray control character that no one typed on purpose and no one
can see; names are short and shown alone, so they are refused.
Bidi characters stay in free text (Arabic and Hebrew quotes need them); every place that renders
such text isolates it (`isolate`, and `<bdi>` in HTML), so it cannot reorder what follows.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape as html_escape

from briefing.errors import InputError

# The longest text each free-text field takes, in characters. Names and tags have their own
# limits (NAME_LIMITS). Documented in the README ("Limits").
LIMITS = {
    "name": 200,
    "tag": 100,
    "source title": 500,
    "publisher": 200,
    "author": 200,
    "address": 2000,
    "kind": 40,
    "one-line position": 300,
    "question": 500,
    "event title": 500,
    "briefing title": 300,
    "audience": 300,
    "description": 20_000,
    "summary": 50_000,
    "comment": 10_000,
    "introduction": 200_000,
    "note": 2_000_000,  # what the Markdown renderer shows whole (render.markdown)
    "quote": 20_000,
}

_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs"}
_JOINERS = {"\u200c", "\u200d"}
_SCRIPTS_WITHOUT_JOINERS = ("LATIN", "GREEK", "CYRILLIC")
_SPACES = re.compile(r"\s+")
# Every C0 and C1 control except tab, newline and carriage return, and the two non-characters.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _joiner_allowed(text: str, index: int) -> bool:
    """A ZWNJ/ZWJ between two letters of a script that uses them (not Latin, Greek, Cyrillic)."""
    if index == 0 or index == len(text) - 1:
        return False
    for neighbour in (text[index - 1], text[index + 1]):
        if not unicodedata.category(neighbour).startswith(("L", "M")):
            return False
        if unicodedata.name(neighbour, "").startswith(_SCRIPTS_WITHOUT_JOINERS):
            return False
    return True


def name_problem(text: str, what: str = "name") -> str | None:
    """What is wrong with a name's characters, in words, or None."""
    for index, char in enumerate(text):
        if unicodedata.category(char) not in _REFUSED_CATEGORIES:
            continue
        if char in _JOINERS and _joiner_allowed(text, index):
            continue
        if char in "\t\n\r":
            continue  # white space: made a single space by clean_name
        return (
            f"the {what} holds an invisible or control character ({_describe(char)}) at "
            f"position {index + 1}; type the {what} without it"
        )
    return None


def normalise_name(text: str) -> str:
    """NFC with white space trimmed and collapsed: what a name is stored as (no checks)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_name(text: str, what: str = "stakeholder", limit: int | None = None) -> str:
    """The name as stored, or InputError saying what is wrong with it.

    `what` is the kind of record ("stakeholder", "topic", "tag"): "the tag name is ..."."""
    name = normalise_name(text)
    limit = limit or LIMITS.get(what, LIMITS["name"])
    if not name:
        raise InputError(f"the {what} needs a name")
    if problem := name_problem(name, f"{what} name"):
        raise InputError(problem)
    if len(name) > limit:
        raise InputError(f"the {what} name is {len(name)} characters long; at most {limit} fit")
    return name


def name_key(text: str) -> str:
    """The key two names share when people read them as the same name (see the docstring)."""
    return unicodedata.normalize("NFC", normalise_name(text).casefold())


# Look-alikes: characters of other scripts (and symbols) that are drawn like Latin letters, after
# NFKD has already mapped fullwidth and mathematical letters to plain ones. A documented subset of
# Unicode's confusables.txt (UTS #39) covering the letters a stakeholder's name is spoofed with:
# Cyrillic and Greek capitals and small letters, Armenian, dotless i, and the digits and marks
# that pass for l, I and O. Uppercase entries are applied before case folding, the rest after.
_LOOKALIKES_UPPER = str.maketrans(
    {
        # Cyrillic capitals
        "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u041a": "K", "\u041c": "M",
        "\u041d": "H", "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T",
        "\u0425": "X", "\u0405": "S", "\u0406": "l", "\u0408": "J", "\u04c0": "l",
        "\u0423": "Y", "\u04ae": "Y", "\u051a": "Q", "\u051c": "W",
        # Greek capitals
        "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H",
        "\u0399": "l", "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O",
        "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X",
        # Latin capital I and the digit one and bar look like a small l
        "I": "l", "1": "l", "|": "l", "\u01c0": "l", "\u2160": "l",
        "0": "O",
    }
)  # fmt: skip
_LOOKALIKES_LOWER = str.maketrans(
    {
        # Cyrillic small letters
        "\u0430": "a", "\u0432": "b", "\u0435": "e", "\u043a": "k", "\u043c": "m",
        "\u043d": "h", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0442": "t",
        "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j",
        "\u04cf": "l", "\u0501": "d", "\u051b": "q", "\u051d": "w", "\u0261": "g",
        "\u04bb": "h", "\u0454": "e",
        # Greek small letters
        "\u03b1": "a", "\u03b9": "i", "\u03ba": "k", "\u03bd": "v", "\u03bf": "o",
        "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03b5": "e",
        # Armenian
        "\u0578": "n", "\u057d": "u", "\u0585": "o", "\u0561": "w", "\u0570": "h",
        # Latin look-alikes
        "\u0131": "i", "\u0269": "i", "\u0251": "a", "\u1d0f": "o",
        "\u017f": "f",
    }
)  # fmt: skip


def skeleton(text: str) -> str:
    """Names with equal skeletons may be read as the same name (UTS #39, with a subset table)."""
    decomposed = unicodedata.normalize("NFKD", normalise_name(text))
    visible = "".join(
        c for c in decomposed if unicodedata.category(c) not in _REFUSED_CATEGORIES
    )  # invisible characters change nothing a reader sees
    folded = visible.translate(_LOOKALIKES_UPPER).casefold().translate(_LOOKALIKES_LOWER)
    folded = folded.replace("rn", "m").replace("vv", "w").replace("cl", "d")
    return unicodedata.normalize("NFD", folded)


def clean_text(text: str, what: str = "text", limit: int | None = None) -> str:
    """Free text as stored: control characters removed (tab and line ends kept), within limits."""
    text = _CONTROLS.sub("", text)
    limit = LIMITS.get(what) if limit is None else limit  # 0: no limit
    if limit and len(text) > limit:
        raise InputError(f"the {what} is {len(text)} characters long; at most {limit} fit")
    return text


def clean_line(text: str, what: str, limit: int | None = None) -> str:
    """One line of free text (a title, an author, an address): `clean_text`, with white space
    (line breaks too) made single spaces and trimmed, within its limit."""
    return clean_text(_SPACES.sub(" ", _CONTROLS.sub("", text)).strip(), what, limit)


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


# Isolating text whose direction is its own (a quote in Arabic, a note holding an override):
# FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE. Whatever the text holds, it cannot reorder
# what comes after it (a citation, a date); an override left open inside is closed by the POP.
FSI, PDI = "\u2068", "\u2069"


# Bidi classes that can move text around them: right-to-left letters and digits, and the
# explicit embeddings, overrides and isolates. Text without any is laid out left to right as it
# stands, so isolating it would change nothing but the characters a copy or a test sees.
_REORDERING = frozenset(
    {"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def needs_isolation(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _REORDERING for char in text)


def isolate(text: str) -> str:
    """Text wrapped in a first-strong isolate, for plain text, Markdown and Qt's text layout,
    when it holds anything that could reorder its neighbours (else unchanged)."""
    return f"{FSI}{text}{PDI}" if needs_isolation(text) else text


def isolated_html(text: str) -> str:
    """User text for HTML: escaped, in a `<bdi>` for browsers and between FSI and PDI for Qt's
    rich text (which ignores `<bdi>` but lays out isolates), so it cannot reorder what follows
    it on the line, such as a quote's citation."""
    return f"<bdi>{html_escape(isolate(text))}</bdi>" if text else ""
