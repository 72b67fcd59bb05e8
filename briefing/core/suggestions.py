"""Quote suggestions: the words a news report puts in quotation marks, with who said them.

Most reports quote every statement next to its speaker. `find_quotations` reads a text for:

- **Quoted words.** Text between curly (“ ”), straight (" "), guillemet (« ») or low-high
  („ “) quotation marks, across line breaks. A quote left open at the end of a paragraph, as
  news style does when the next paragraph goes on quoting (it opens with a quotation mark
  again), ends with its paragraph; so does any quote not closed before a blank line. Single
  quotation marks are not read: they are apostrophes too often to pair reliably. A trailing comma,
  semicolon or colon inside the marks belongs to the report's sentence and is left out. One to
  three words in quotation marks are scare quotes ("a ‘national dialogue’") and not suggested.
- **The speaker the sentence names.** In the report's own words around the quote (quotations
  masked), within the sentence: "X said", "said X", "X told ...", "X added/wrote/warned ...",
  "according to X", "X, the company's president, said", and "The firm, X said, “...”". A name is
  a run of capitalised words (with "of", "de", "van" and the like inside, and a possessive 's
  dropped), without a leading "The". "He", "she" or "they" stands for the speaker of the quote
  before, as "he added" does in news style.

`suggest_quotes` adds what the store knows: the stakeholder whose name matches the speaker as
written (the whole name ignoring case and accents, or a person's surname: "Krishna" for "Arvind
Krishna", when only one stakeholder has it), and whether the words are already a quote there.
`accept_suggestions` makes the chosen ones quotes anchored at their offsets, in one transaction,
making a speaker that is not yet a stakeholder into a new one (a person if the name has two or
more words, else "other"), linked to the topic given.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from briefing.core.changes import Changes
from briefing.core.editing import StakeholderFields, add_stakeholder
from briefing.core.quotes import add_quote_at
from briefing.core.sources import find_source, sha256_text
from briefing.errors import InputError
from briefing.store.models import Quote, Stakeholder

MIN_WORDS = 4

_OPENERS = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c"}
_CLOSERS = {"\u201d", "\u00bb"}
_STRAIGHT = '"'
_CLOSES_A_QUOTE = _CLOSERS | {_STRAIGHT, "\u201c"}
_PARAGRAPH = re.compile(r"\n[ \t]*\n")

_VERBS = (
    "said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|argued|"
    "argues|noted|notes|warned|warns|mentioned|mentions|continued|continues|insisted|insists|"
    "declared|declares|replied|replies|recalled|recalls|claimed|claims|asked|asks|acknowledged|"
    "acknowledges|admitted|admits|conceded|concedes|stressed|stresses|urged|urges|tweeted|"
    "posted|announced|announces|concluded|observed|responded|testified|commented|"
    "saying|adding|writing|warning|arguing|noting|explaining|insisting|telling|calling|called|"
    "described|describes"
)
_CONNECT = r"(?:of|the|de|del|da|van|von|der|den|al|bin|for|and|la|le|du|y)"
_CAP = r"[A-Z\u00c0-\u00de][\w\u2019'.&-]*"
_NAME = rf"(?:The\s+)?(?P<name>{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP})*)"
_PRONOUN = r"(?P<pronoun>[Hh]e|[Ss]he|[Tt]hey)"
_APPOSITIVE = r"(?:\s*,\s*[^,.;:\u201c\u201d\"]{1,80}?,)?,?"  # ", the company's president,"
_DESCRIBED = r"(?:[a-z][\w\u2019'-]*\s+){0,5}"  # "according to the data protection campaigner X"
_VERB = rf"(?:{_VERBS})"

# In the words before the quotation: the patterns nearest the quote, tried in this order.
_BEFORE = [
    re.compile(rf"\b[Aa]ccording to\s+{_DESCRIBED}{_NAME}\s*[,:]?\s*$"),
    re.compile(rf"{_NAME}{_APPOSITIVE}\s+{_VERB}\b[^.!?]*$"),
    re.compile(rf"\b{_VERB}\s+{_NAME}\s*[,:]?\s*$"),
    re.compile(rf"\b{_PRONOUN}\s+{_VERB}\b[^.!?]*$"),
]
# In the words after the quotation, up to the end of the sentence.
_AFTER = [
    # "said Liberty's director, Martha Green": the person, not the organisation.
    re.compile(rf"^\s*[,.!?]?\s*{_VERB}\s+{_CAP}[\u2019']s\s+[a-z][\w\s-]{{0,40}},\s+{_NAME}"),
    re.compile(rf"^\s*[,.!?]?\s*{_VERB}\s+{_NAME}"),
    re.compile(rf"^\s*[,.!?]?\s*{_NAME}{_APPOSITIVE}\s+{_VERB}\b"),
    re.compile(rf"^\s*[,.!?]?\s*{_PRONOUN}\s+{_VERB}\b"),
    re.compile(rf"^\s*[,.!?]?\s*[Aa]ccording to\s+{_DESCRIBED}{_NAME}"),
]
# "The firm, Krishna mentioned, “..." and anywhere else in the sentence; last, the sentence's
# subject before a verb of speech ("The ACLU slammed the plan, saying that ...").
_ANYWHERE = [
    re.compile(rf"\b[Aa]ccording to\s+{_DESCRIBED}{_NAME}"),
    re.compile(rf"{_NAME}{_APPOSITIVE}\s+{_VERB}\b"),
    re.compile(rf"\b{_VERB}\s+{_NAME}"),
    re.compile(rf"{_NAME}(?:(?![A-Z\u00c0-\u00de])[^.!?\u2026])*?\b{_VERB}\b"),
]
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n[ \t]*\n")
_NOT_NAMES = {
    "I", "We", "It", "This", "That", "These", "Those", "There", "In", "On", "At", "But", "And",
    "A", "An", "As", "If", "When", "While", "Mr", "Ms", "Mrs", "Dr", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Its", "His", "Her", "Their",
    "Our", "My", "Your", "Opening", "Speaking", "Asked", "After", "Before", "Then", "So", "He",
    "She", "They", "You",
}  # fmt: skip
# Words of a title before a name, left out of the speaker as written: "Chief Constable Daniel
# Hughes" is Daniel Hughes.
_TITLES = {
    "Chief", "Constable", "Superintendent", "Inspector", "Sergeant", "Detective", "Commissioner",
    "Professor", "Prof", "Dr", "Mr", "Mrs", "Ms", "Miss", "Sir", "Dame", "Lord", "Lady",
    "Baroness", "Baron", "President", "Senator", "Sen", "Rep", "Representative", "Governor",
    "Mayor", "Councillor", "Cllr", "MP", "MEP", "Backbench", "Minister", "Judge", "Justice",
    "Secretary", "General", "Director", "Officer", "Deputy", "Assistant", "Commander",
}  # fmt: skip
_SPEECH = re.compile(rf"\b{_VERB}\b")


@dataclass(frozen=True)
class Quotation:
    """Words in quotation marks, where they stand, and the speaker the sentence names."""

    start: int
    end: int
    text: str
    speaker: str | None  # as written in the report ("Krishna", "Brad Smith"), or None
    pronoun: str | None = None  # "he" when the sentence says "he added" of an earlier speaker


_MARKS = re.compile(r'[\u201c\u201d\u00ab\u00bb\u201e"]')
# Characters scanned per call of the regular expression: a call holds Python's lock until it
# returns, and a report is read on a background thread while the window paints (about 1 ms).
_SCAN = 256 * 1024


def _marks(text: str):
    """The quotation marks of `text`, found a stretch at a time (a mark is one character, so
    no match is ever cut)."""
    for at in range(0, len(text), _SCAN):
        yield from _MARKS.finditer(text, at, at + _SCAN)


def _spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of the words inside each pair of quotation marks (the marks excluded); a
    quote left open ends with its paragraph. Only the quotation marks are visited, and the
    paragraph breaks only inside an open quote: a 30 MB report with few quotes costs one quick
    scan for the marks (a scan for marks and breaks together took 0.66 s on 30 MB)."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    closer = ""
    for match in _marks(text):
        char, index = match.group(), match.start()
        if open_at is not None and (ended := _PARAGRAPH.search(text, open_at, index)):
            spans.append((open_at, ended.start()))  # left open: it ends with its paragraph
            open_at = None
        if open_at is None:
            if char in _OPENERS:
                open_at, closer = index + 1, _OPENERS[char]
            elif char == _STRAIGHT:
                open_at, closer = index + 1, _STRAIGHT
            continue
        if char == closer or (closer != _STRAIGHT and char in _CLOSERS):
            spans.append((open_at, index))
            open_at = None
    if open_at is not None:
        ended = _PARAGRAPH.search(text, open_at)
        spans.append((open_at, ended.start() if ended else len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _word_count(words: str) -> int:
    return sum(1 for chunk in words.split() if any(c.isalnum() for c in chunk))


def _clean_name(name: str) -> str | None:
    name = re.sub(r"[\u2019']s$", "", name.strip()).rstrip(".,")
    words = name.split()
    while words and words[0] in ("The", "the"):
        words.pop(0)
    while len(words) > 1 and words[0].rstrip(".") in _TITLES:
        words.pop(0)
    if not words or words[0] in _NOT_NAMES:
        return None
    return " ".join(words)


def _match(patterns: list[re.Pattern], context: str, last: bool) -> tuple[str | None, str | None]:
    """The first pattern that names a speaker: (name, None), or (None, pronoun)."""
    for pattern in patterns:
        found = list(pattern.finditer(context))
        for match in reversed(found) if last else found:
            groups = match.groupdict()
            if groups.get("name"):
                name = _clean_name(groups["name"])
                if name:
                    return name, None
            elif groups.get("pronoun"):
                return None, groups["pronoun"].lower()
    return None, None


def find_quotations(text: str) -> list[Quotation]:
    """Every quotation of four words or more in `text`, with its speaker where the sentence
    names one."""
    spans = _spans(text)
    if not spans:
        return []  # no quotation marks: nothing more to read in the text
    # The report's own words: quotations masked (same length, so offsets hold).
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        opening = max(start - 1, last)
        pieces.append(text[last:opening])
        pieces.append(re.sub(r"\S", "x", text[opening:end]))
        last = end
        if end < len(text):
            pieces.append("\u2026")
            last = end + 1
    pieces.append(text[last:])
    own = "".join(pieces)
    assert len(own) == len(text)

    paragraph_starts = [0] + [m.end() for m in _PARAGRAPH.finditer(text)]
    found: list[Quotation] = []
    left_open: list[tuple[bool, int]] = []
    last_speaker: str | None = None
    last_paragraph = -1
    last_open = False  # the quote before ran to the end of its paragraph, unclosed
    for start, end in spans:
        paragraph = bisect.bisect_right(paragraph_starts, start) - 1
        continues = last_open and paragraph == last_paragraph + 1
        same_paragraph = paragraph == last_paragraph
        last_paragraph = paragraph
        last_open = end >= len(text) or text[end] not in _CLOSES_A_QUOTE
        a, b = _trimmed(text, start, end)
        before_from = 0
        for m in _SENTENCE_END.finditer(own, max(0, start - 400), max(start - 1, 0)):
            before_from = m.end()
        before = own[before_from : max(start - 1, 0)]
        stop = _SENTENCE_END.search(own, min(end + 1, len(own)))
        after = own[min(end + 1, len(own)) : stop.end() if stop else len(own)][:300]
        # A quote that ends a paragraph (continued in the next) has no words after it.
        speaker, pronoun = _match(_AFTER, after, last=False)
        if speaker is None and pronoun is None:
            speaker, pronoun = _match(_BEFORE, before, last=True)
        if speaker is None and pronoun is None:
            speaker, pronoun = _match(_ANYWHERE, before + " " + after, last=True)
        if pronoun is not None:
            # "she said" is whoever the paragraph last named as speaking, else the speaker of
            # the quote before ("Karen Liu argued that ... \u201c...,\u201d she said.").
            introduced, _ = _match(
                _ANYWHERE[1:], own[paragraph_starts[paragraph] : before_from], last=True
            )
            speaker = introduced or last_speaker
        elif (
            speaker is None
            and (same_paragraph or continues)
            and not _SPEECH.search(before + " " + after)
        ):
            # News style: a quote that goes on in the same paragraph, or in the next one
            # after an unclosed quote, is still the same speaker's.
            speaker = last_speaker
        if speaker is not None:
            last_speaker = speaker
        # Scare quotes ("robust") are not suggested, but the speaker they name is remembered
        # for the "she said" that may follow.
        if _word_count(text[a:b]) < MIN_WORDS:
            continue
        found.append(Quotation(a, b, text[a:b], speaker, pronoun))
        left_open.append((last_open, paragraph))
    # A quote left open at the end of its paragraph, naming no one, is the speaker's whom the
    # next paragraph's continuation names ("... ," he added).
    for i in range(len(found) - 2, -1, -1):
        (is_open, paragraph), following = left_open[i], found[i + 1]
        if (
            found[i].speaker is None
            and is_open
            and left_open[i + 1][1] == paragraph + 1
            and following.speaker is not None
        ):
            q = found[i]
            found[i] = Quotation(q.start, q.end, q.text, following.speaker, q.pronoun)
    full_names = _full_names(text) if any(q.speaker and " " not in q.speaker for q in found) else {}
    return [
        Quotation(q.start, q.end, q.text, full_names.get(q.speaker or "", q.speaker), q.pronoun)
        for q in found
    ]


_FULL_NAME = re.compile(rf"{_CAP}(?:\s+{_CAP})+")


def _full_names(text: str) -> dict[str, str]:
    """For each surname, the full name the article first gives it ("Hughes": "Daniel Hughes"),
    so that a speaker named by surname alone is the person named in full before."""
    names: dict[str, str] = {}
    for match in _FULL_NAME.finditer(text):
        name = _clean_name(match.group())
        if name and " " in name:
            names.setdefault(name.split()[-1], name)
    return names


# -- with the store ------------------------------------------------------------------------------


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("\u2019", "'").casefold().split())


def match_stakeholder(
    speaker: str, stakeholders: Iterable[tuple[int, str]]
) -> tuple[int, str] | None:
    """The stakeholder a speaker as written names: the same name (case and accents aside), or
    the only person whose surname (last word) it is."""
    wanted = _fold(speaker)
    people = list(stakeholders)
    for sid, name in people:
        if _fold(name) == wanted:
            return sid, name
    by_surname = [(sid, name) for sid, name in people if _fold(name).split()[-1:] == [wanted]]
    if len(by_surname) == 1:
        return by_surname[0]
    # "the ACLU" written as "American Civil Liberties Union (ACLU)" in the store, and the like.
    inside = [(sid, name) for sid, name in people if f"({wanted})" in _fold(name)]
    return inside[0] if len(inside) == 1 else None


@dataclass(frozen=True)
class Suggestion:
    number: int  # 1, 2, ... in the order of the source
    start: int
    end: int
    text: str
    speaker: str | None  # as written in the source
    stakeholder_id: int | None  # the stakeholder that name matches, if any
    stakeholder: str | None
    quote_id: int | None  # the quote already made of these words, if any

    @property
    def new_speaker(self) -> bool:
        """The speaker is named but is not yet a stakeholder."""
        return self.speaker is not None and self.stakeholder_id is None


def suggest_quotes(session: Session, source_id: int | str) -> list[Suggestion]:
    """The source's quotations as suggested quotes, with their speakers matched."""
    source = find_source(session, source_id)
    return suggest_in(session, source.id, source.sha256, source.text)


def suggest_in(session: Session, source_id: int, sha256: str, text: str) -> list[Suggestion]:
    """`suggest_quotes` for a source whose text the caller holds already (the reader shows
    it): the text is not read from the store a second time."""
    stakeholders = [tuple(row) for row in session.execute(select(Stakeholder.id, Stakeholder.name))]
    made = {
        (start, end): qid
        for qid, start, end in session.execute(
            select(Quote.id, Quote.start, Quote.end).where(Quote.source_id == source_id)
        )
    }
    out = []
    for number, quotation in enumerate(_quotations_of(sha256, text), start=1):
        matched = match_stakeholder(quotation.speaker, stakeholders) if quotation.speaker else None
        out.append(
            Suggestion(
                number=number,
                start=quotation.start,
                end=quotation.end,
                text=quotation.text,
                speaker=quotation.speaker,
                stakeholder_id=matched[0] if matched else None,
                stakeholder=matched[1] if matched else None,
                quote_id=made.get((quotation.start, quotation.end)),
            )
        )
    return out


_CACHE: dict[str, list[Quotation]] = {}
_CACHE_SIZE = 16


def _quotations_of(sha256: str, text: str) -> list[Quotation]:
    """A source's quotations, kept for the last few sources read: a source's text never
    changes, and the reader asks again after every change to its quotes."""
    if sha256 not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[sha256] = find_quotations(text)
    return _CACHE[sha256]


@dataclass(frozen=True)
class Accepted:
    number: int
    quote_id: int
    speaker_id: int
    new_speaker: bool


def accept_suggestions(
    session: Session,
    source_id: int | str,
    numbers: Iterable[int],
    *,
    speakers: dict[int, str] | None = None,
    topic_id: int | None = None,
) -> tuple[list[Accepted], Changes]:
    """Make the numbered suggestions quotes, anchored at their offsets. `speakers` gives a
    speaker by name for a suggestion whose sentence names none (or names the wrong one); a
    speaker that is not yet a stakeholder is made one (linked to `topic_id`)."""
    source = find_source(session, source_id)
    if sha256_text(source.text) != source.sha256:
        raise InputError(f"source {source.id} has changed since it was imported; quote a copy")
    offered = {s.number: s for s in suggest_quotes(session, source.id)}
    numbers = list(dict.fromkeys(numbers))
    speakers = speakers or {}
    if not numbers:
        raise InputError("say which suggestions to accept, by number")
    for number in numbers:
        if number not in offered:
            raise InputError(
                f"there is no suggestion {number} for source {source.id}; it has "
                f"{len(offered)} (`briefing suggest-quotes {source.id}` lists them)"
            )
        suggestion = offered[number]
        if suggestion.quote_id is not None:
            raise InputError(f"suggestion {number} is already quote {suggestion.quote_id}")
        if suggestion.speaker is None and number not in speakers:
            raise InputError(
                f"suggestion {number} names no speaker; give one with --speaker {number}=NAME"
            )
    accepted: list[Accepted] = []
    changes = Changes.of("quote")
    made: dict[str, int] = {}
    stakeholders = [tuple(row) for row in session.execute(select(Stakeholder.id, Stakeholder.name))]
    for number in numbers:
        suggestion = offered[number]
        name = speakers.get(number) or suggestion.speaker
        assert name is not None
        matched = match_stakeholder(name, stakeholders)
        new = False
        if matched is not None:
            speaker_id = matched[0]
        elif _fold(name) in made:
            speaker_id = made[_fold(name)]
        else:
            kind = "person" if len(name.split()) > 1 else "other"
            speaker_id = add_stakeholder(
                session, StakeholderFields(name=name, kind=kind), topic_id
            ).id
            made[_fold(name)] = speaker_id
            changes = changes | Changes.of("stakeholder")
            new = True
        added = add_quote_at(session, source.id, suggestion.start, suggestion.end, speaker_id)
        accepted.append(Accepted(number, added.id, speaker_id, new))
    return accepted, changes
