"""Editing the picture: topics, stakeholders, positions, questions, answers and events.

Each use case takes the caller's Session, does one transaction's work, and returns `Edited`: the
`Changes` views refresh from, plus the id of the record it made or changed. Nothing here commits;
the GUI runs use cases through `Operations.push(..., Recorded(edit))` so that they can be undone
(`briefing.core.undo`), the command line through `Store.writing()`.

Validation lives here, once, as `check_*` functions that return what is wrong in words (or None);
forms call them as the user types, and the use cases raise `InputError` with the same words, so a
script and a dialog refuse the same input in the same way.

Choices:

- Names are cleaned and compared by `briefing.text` (NFC, trimmed, no invisible or control
  characters; compared by their stored case-folded key), because lookups are (`core.lookup`):
  "ibm" and "IBM" would otherwise be two stakeholders no command could tell apart.
- A name that only looks like an existing one ("I\u0412M", with a Cyrillic Ve, beside "IBM":
  equal `briefing.text.skeleton`s) is not refused, since two real names can look alike, but it
  needs the caller's say-so: `allow_similar=True`, which the window asks the user for and the
  command line takes as `--allow-similar`. Without it, `SimilarName` names the existing record.
- A stakeholder's name is unique in the whole store, not only within a topic (the schema says
  so, and it is what an advocate means: there is one IBM, on several topics). So "duplicate within
  a topic" is the stricter "already exists"; the message says which topics it is on, and
  `link_stakeholder` (`briefing stakeholder link`) puts an existing stakeholder on another topic.
- Setting a position adds a new dated position; only setting one for the same day replaces that
  day's position. Earlier ones are kept: the card shows the latest, the details list the rest.
  A position may not be dated after today (it records what was said).
- An answer's quote must have been spoken by that stakeholder or by a person who speaks for it
  (Arvind Krishna's words can back IBM's answer, not Amazon's).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from briefing.core.changes import Edited
from briefing.core.dates import read_date
from briefing.core.versions import Version, check_version
from briefing.errors import InputError, NotFound, SimilarName
from briefing.store.database import written_by_me
from briefing.store.models import (
    ANSWERS,
    DATE_PRECISIONS,
    STANCES,
    Answer,
    Briefing,
    BriefingItem,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Topic,
    source_imports,
    topic_stakeholders,
)
from briefing.text import clean_line, clean_name, clean_text, name_key, skeleton

KINDS = Stakeholder.KINDS  # the forms offer these; ui/ reads them from here, not from the store
NAME_LIMIT = 200
QUESTION_LIMIT = 500
TITLE_LIMIT = 500
HEADLINE_LIMIT = 300


def _edited(id: int | None, *kinds: str) -> Edited:
    return Edited(frozenset(kinds), id)


def _fail(problem: str | None) -> None:
    if problem:
        raise InputError(problem)


def _get(session: Session, model, id: int, what: str):
    found = session.get(model, id)
    if found is None:
        raise NotFound(f"there is no {what} with id {id}")
    return found


# -- checks (shared by the forms and the use cases) --------------------------------------------


def check_name(name: str, what: str, limit: int = NAME_LIMIT) -> str | None:
    try:
        clean_name(name, what, limit)
    except InputError as error:
        return str(error)
    return None


def check_topic_name(session: Session, name: str, topic_id: int | None = None) -> str | None:
    if problem := check_name(name, "topic"):
        return problem
    clash = session.scalars(select(Topic).where(Topic.name_key == name_key(name))).first()
    if clash is not None and clash.id != topic_id:
        return f"there is already a topic named {clash.name!r}"
    return None


def check_stakeholder_name(
    session: Session, name: str, stakeholder_id: int | None = None
) -> str | None:
    if problem := check_name(name, "stakeholder"):
        return problem
    clash = session.scalars(
        select(Stakeholder).where(Stakeholder.name_key == name_key(name))
    ).first()
    if clash is None or clash.id == stakeholder_id:
        return None
    topics = [topic.name for topic in clash.topics]
    where = f" (on {', '.join(repr(t) for t in topics)})" if topics else ""
    return (
        f"there is already a stakeholder named {clash.name!r}{where}; names are unique in the "
        "store, so add that one to this topic instead"
    )


def _look_alike(session: Session, model, name: str, record_id: int | None):
    """The first other record whose name looks like `name` (equal skeletons), or None."""
    wanted = skeleton(name)
    for other_id, other in session.execute(select(model.id, model.name).order_by(model.id)):
        if other_id != record_id and skeleton(other) == wanted:
            return other_id, other
    return None


def similar_stakeholder(
    session: Session, name: str, stakeholder_id: int | None = None
) -> str | None:
    """A warning, in words, when `name` looks like another stakeholder's name, or None."""
    if check_name(name, "stakeholder") or not (
        found := _look_alike(session, Stakeholder, name, stakeholder_id)
    ):
        return None
    other_id, other = found
    return (
        f"{clean_name(name)!r} looks like the existing stakeholder {other!r} (id {other_id}) "
        f"but is spelt with other characters{_differences(clean_name(name), other)}; it may be "
        "a spoof or a typing slip"
    )


def _differences(name: str, other: str) -> str:
    """ " (U+0412 CYRILLIC CAPITAL LETTER VE where 'IBM' has B)": the characters that differ,
    named, since the two names may look exactly alike."""
    if len(name) != len(other):
        return ""
    named = [
        f"{_named(a)} where {other!r} has {b!r}" for a, b in zip(name, other, strict=True) if a != b
    ]
    return f" ({'; '.join(named[:3])})" if named else ""


def _named(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def similar_topic(session: Session, name: str, topic_id: int | None = None) -> str | None:
    """A warning, in words, when `name` looks like another topic's name, or None."""
    if check_name(name, "topic") or not (found := _look_alike(session, Topic, name, topic_id)):
        return None
    other_id, other = found
    return (
        f"{clean_name(name)!r} looks like the existing topic {other!r} (id {other_id}) "
        f"but is spelt with other characters{_differences(clean_name(name), other)}"
    )


def _refuse_similar(warning: str | None, allow_similar: bool) -> None:
    if warning and not allow_similar:
        raise SimilarName(warning)


def check_kind(kind: str) -> str | None:
    if kind not in Stakeholder.KINDS:
        return f"kind {kind!r} is not one of {', '.join(Stakeholder.KINDS)}"
    return None


def check_influence(influence: int | None) -> str | None:
    if influence is not None and not 1 <= influence <= 5:
        return f"influence {influence} is outside 1 to 5"
    return None


def check_parent(session: Session, stakeholder_id: int | None, parent_id: int | None) -> str | None:
    """A stakeholder may speak for another, but not for itself nor in a circle."""
    if parent_id is None:
        return None
    if stakeholder_id is not None and parent_id == stakeholder_id:
        return "a stakeholder cannot speak for itself"
    seen = set()
    current = session.get(Stakeholder, parent_id)
    if current is None:
        return f"there is no stakeholder with id {parent_id}"
    while current is not None and current.id not in seen:
        if current.id == stakeholder_id:
            return f"{current.name} already speaks, directly or not, for this stakeholder"
        seen.add(current.id)
        current = current.parent
    return None


def check_stance(stance: str) -> str | None:
    if stance not in STANCES:
        return f"stance {stance!r} is not one of {', '.join(STANCES)}"
    return None


def check_answer(answer: str) -> str | None:
    if answer not in ANSWERS:
        return f"answer {answer!r} is not one of {', '.join(ANSWERS)}"
    return None


def check_as_of(
    text: str, today: dt.date | None = None, *, day_first: bool = True
) -> tuple[dt.date | None, str | None]:
    """A position's date from what the user typed (`dates.read_date`): (date, None) or
    (None, what is wrong)."""
    text = text.strip()
    if not text:
        return None, "the position needs a date (such as 2020-06-09 or 9 June 2020)"
    try:
        value, _precision = read_date(text, day_first=day_first)
    except InputError as error:
        return None, str(error)
    if value > (today or dt.date.today()):
        return None, f"{value.isoformat()} is in the future; a position records what was said"
    return value, None


def check_event_date(
    text: str, *, day_first: bool = True
) -> tuple[tuple[dt.date, str] | None, str | None]:
    """An event's date and precision ("2019", "September 2019", "2019-09-04") or what is wrong."""
    if not text.strip():
        return None, "the event needs a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    try:
        return read_date(text, day_first=day_first, precisions=("day", "month", "year")), None
    except InputError as error:
        return None, str(error)


def check_event_title(title: str) -> str | None:
    if not title.strip():
        return "the event needs a title"
    if len(title.strip()) > TITLE_LIMIT:
        return f"the event title is longer than {TITLE_LIMIT} characters"
    return None


def check_question_text(
    session: Session, topic_id: int, text: str, question_id: int | None = None
) -> str | None:
    if not text.strip():
        return "the question needs its words"
    if len(text.strip()) > QUESTION_LIMIT:
        return f"the question is longer than {QUESTION_LIMIT} characters"
    wanted = name_key(text)
    clash = next(
        (
            question
            for question in session.scalars(select(Question).where(Question.topic_id == topic_id))
            if name_key(question.text) == wanted
        ),
        None,
    )
    if clash is not None and clash.id != question_id:
        return f"this topic already asks {clash.text!r} (question {clash.id})"
    return None


def speakers_for(session: Session, stakeholder_id: int) -> set[int]:
    """The stakeholder and everyone who speaks for it, directly or through others."""
    found = {stakeholder_id}
    frontier = {stakeholder_id}
    while frontier:
        frontier = (
            set(session.scalars(select(Stakeholder.id).where(Stakeholder.parent_id.in_(frontier))))
            - found
        )
        found |= frontier
    return found


def check_quote_for(session: Session, stakeholder_id: int, quote_id: int | None) -> str | None:
    if quote_id is None:
        return None
    quote = session.get(Quote, quote_id)
    if quote is None:
        return f"there is no quote with id {quote_id}"
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if quote.speaker_id not in speakers_for(session, stakeholder_id):
        speaker = quote.speaker.name if quote.speaker else "nobody recorded"
        name = stakeholder.name if stakeholder else f"stakeholder {stakeholder_id}"
        return f"quote {quote_id} was said by {speaker}, not by {name} or someone who speaks for it"
    return None


# -- what forms offer to choose from ----------------------------------------------------------


def stakeholder_choices(
    session: Session, *, exclude: int | None = None, topic_id: int | None = None, on_topic=None
) -> list[tuple[str, int]]:
    """(name, id) of stakeholders by name; `on_topic` True/False keeps those on/off `topic_id`."""
    query = select(Stakeholder.name, Stakeholder.id).order_by(Stakeholder.name_key)
    if exclude is not None:
        query = query.where(Stakeholder.id != exclude)
    if topic_id is not None and on_topic is not None:
        members = select(topic_stakeholders.c.stakeholder_id).where(
            topic_stakeholders.c.topic_id == topic_id
        )
        query = query.where(
            Stakeholder.id.in_(members) if on_topic else Stakeholder.id.not_in(members)
        )
    return [(name, sid) for name, sid in session.execute(query)]


def source_choices(session: Session) -> list[tuple[str, int]]:
    return [
        (title, sid)
        for title, sid in session.execute(
            select(Source.title, Source.id)
            .where(Source.id.not_in(select(source_imports.c.source_id)))
            .order_by(Source.title)
        )
    ]


# -- topics ------------------------------------------------------------------------------------


def create_topic(
    session: Session, name: str, description: str = "", *, allow_similar: bool = False
) -> Edited:
    _fail(check_topic_name(session, name))
    _refuse_similar(similar_topic(session, name), allow_similar)
    topic = Topic(
        name=clean_name(name, "topic"),
        description=clean_text(description, "description").strip(),
    )
    session.add(topic)
    session.flush()
    return _edited(topic.id, "topic")


def rename_topic(
    session: Session,
    topic_id: int,
    name: str,
    description: str | None = None,
    *,
    allow_similar: bool = False,
    expected_version: Version | None = None,
) -> Edited:
    """Rename a topic (and change its description); `expected_version` is the topic's version
    when the form opened (`briefing.core.versions`)."""
    topic = session.get(Topic, topic_id)
    check_version(topic, expected_version, "the topic")
    topic = _get(session, Topic, topic_id, "topic")
    _fail(check_topic_name(session, name, topic_id))
    _refuse_similar(similar_topic(session, name, topic_id), allow_similar)
    topic.name = clean_name(name, "topic")
    if description is not None:
        topic.description = clean_text(description, "description").strip()
    session.flush()
    return _edited(topic.id, "topic")


def topic_deletion_consequences(session: Session, topic_id: int) -> list[str]:
    """What goes with a topic if it is deleted, and what stays, in sentences."""
    t = topic_id
    positions = select(Position.id).where(Position.topic_id == t)
    questions = select(Question.id).where(Question.topic_id == t)
    deleted = [
        _counted(n, one, many)
        for n, one, many in (
            (_count(session, Position, Position.topic_id == t), "position", "positions"),
            (_count(session, Question, Question.topic_id == t), "question", "questions"),
            (_count(session, Answer, Answer.question_id.in_(questions)), "answer", "answers"),
            (_count(session, Event, Event.topic_id == t), "event", "events"),
            (
                _count(
                    session,
                    Note,
                    (Note.topic_id == t) | Note.position_id.in_(positions),
                    written_by_me(session, Note.written_by),  # others' stay, detached
                ),
                "note on it or its positions",
                "notes on it or its positions",
            ),
        )
        if n
    ]
    lines = ["Deleted with it: " + ", ".join(deleted) + "."] if deleted else []
    briefings = _count(session, Briefing, Briefing.topic_id == t)
    if briefings:
        lines.append(f"{_counted(briefings, 'briefing stays', 'briefings stay')} without a topic.")
    lines.append("Its stakeholders, quotes and sources stay.")
    return lines


def delete_topic(session: Session, topic_id: int) -> Edited:
    """The topic with its positions, questions, answers and events; stakeholders stay."""
    topic = _get(session, Topic, topic_id, "topic")
    session.delete(topic)
    session.flush()
    return _edited(topic_id, "topic", "position", "question", "answer", "event", "note", "briefing")


# -- stakeholders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StakeholderFields:
    name: str
    kind: str = "other"
    description: str = ""
    parent_id: int | None = None
    influence: int | None = None


def check_stakeholder(
    session: Session, fields: StakeholderFields, stakeholder_id: int | None = None
) -> str | None:
    return (
        check_stakeholder_name(session, fields.name, stakeholder_id)
        or check_kind(fields.kind)
        or check_influence(fields.influence)
        or check_parent(session, stakeholder_id, fields.parent_id)
    )


def _link(session: Session, topic_id: int, stakeholder_id: int) -> bool:
    present = session.execute(
        select(topic_stakeholders).where(
            topic_stakeholders.c.topic_id == topic_id,
            topic_stakeholders.c.stakeholder_id == stakeholder_id,
        )
    ).first()
    if present is None:
        session.execute(
            topic_stakeholders.insert().values(topic_id=topic_id, stakeholder_id=stakeholder_id)
        )
        return True
    return False


def add_stakeholder(
    session: Session,
    fields: StakeholderFields,
    topic_id: int | None = None,
    *,
    allow_similar: bool = False,
) -> Edited:
    _fail(check_stakeholder(session, fields))
    _refuse_similar(similar_stakeholder(session, fields.name), allow_similar)
    if topic_id is not None:
        _get(session, Topic, topic_id, "topic")
    stakeholder = Stakeholder(
        name=clean_name(fields.name, "stakeholder"),
        kind=fields.kind,
        description=clean_text(fields.description, "description").strip(),
        parent_id=fields.parent_id,
        influence=fields.influence,
    )
    session.add(stakeholder)
    session.flush()
    if topic_id is not None:
        _link(session, topic_id, stakeholder.id)
    return _edited(stakeholder.id, "stakeholder")


def edit_stakeholder(
    session: Session,
    stakeholder_id: int,
    fields: StakeholderFields,
    *,
    allow_similar: bool = False,
    expected_version: Version | None = None,
) -> Edited:
    stakeholder = session.get(Stakeholder, stakeholder_id)
    what = f"the stakeholder {stakeholder.name}" if stakeholder else "the stakeholder"
    check_version(stakeholder, expected_version, what)
    stakeholder = _get(session, Stakeholder, stakeholder_id, "stakeholder")
    _fail(check_stakeholder(session, fields, stakeholder_id))
    _refuse_similar(similar_stakeholder(session, fields.name, stakeholder_id), allow_similar)
    stakeholder.name = clean_name(fields.name, "stakeholder")
    stakeholder.kind = fields.kind
    stakeholder.description = clean_text(fields.description, "description").strip()
    stakeholder.parent_id = fields.parent_id
    stakeholder.influence = fields.influence
    session.flush()
    return Edited(frozenset({"stakeholder"}), stakeholder_id, "edited")


def link_stakeholder(session: Session, topic_id: int, stakeholder_id: int) -> Edited:
    """Put an existing stakeholder on a topic (no change if it is there already)."""
    _get(session, Topic, topic_id, "topic")
    _get(session, Stakeholder, stakeholder_id, "stakeholder")
    changed = _link(session, topic_id, stakeholder_id)
    return _edited(stakeholder_id, "stakeholder") if changed else Edited(id=stakeholder_id)


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def deletion_consequences(session: Session, stakeholder_id: int) -> list[str]:
    """What goes with a stakeholder if it is deleted, in sentences ([] when nothing does)."""
    s = stakeholder_id
    deleted = [
        _counted(n, one, many)
        for n, one, many in (
            (_count(session, Position, Position.stakeholder_id == s), "position", "positions"),
            (_count(session, Answer, Answer.stakeholder_id == s), "answer", "answers"),
            (
                # notes on its positions go with the positions
                _count(
                    session,
                    Note,
                    (Note.stakeholder_id == s)
                    | Note.position_id.in_(select(Position.id).where(Position.stakeholder_id == s)),
                    written_by_me(session, Note.written_by),  # others' stay, detached
                ),
                "note on it",
                "notes on it",
            ),
        )
        if n
    ]
    lines = ["Deleted with it: " + ", ".join(deleted) + "."] if deleted else []
    briefings = session.scalar(
        select(func.count(func.distinct(BriefingItem.briefing_id))).where(
            BriefingItem.stakeholder_id == s
        )
    )
    if briefings:
        lines.append(f"It is taken out of {_counted(briefings, 'briefing', 'briefings')}.")
    quotes = _count(session, Quote, Quote.speaker_id == s)
    if quotes:
        lines.append(f"{_counted(quotes, 'quote', 'quotes')} stay but lose their speaker.")
    events = _count(session, Event, Event.stakeholder_id == s)
    if events:
        lines.append(f"{_counted(events, 'event', 'events')} stay but no longer name it.")
    people = _count(session, Stakeholder, Stakeholder.parent_id == s)
    if people:
        lines.append(f"{_counted(people, 'person', 'people')} no longer speak for it.")
    return lines


def delete_stakeholder(session: Session, stakeholder_id: int) -> Edited:
    """The stakeholder, its positions, answers and the notes on it; its quotes stay unspoken."""
    stakeholder = _get(session, Stakeholder, stakeholder_id, "stakeholder")
    session.delete(stakeholder)
    session.flush()
    return _edited(
        stakeholder_id, "stakeholder", "position", "answer", "note", "quote", "event", "briefing"
    )


# -- positions ---------------------------------------------------------------------------------


def set_position(
    session: Session,
    topic_id: int,
    stakeholder_id: int,
    stance: str,
    summary: str,
    as_of: dt.date,
    headline: str = "",
    *,
    expected_version: Version | None = None,
) -> Edited:
    """Add the stakeholder's position as of a date (replacing only one of the same date).

    `expected_version` is the version of that date's position when the form opened, or
    `versions.ABSENT` when there was none (`position_versions`): a position made or changed
    for that date since is not replaced."""
    _get(session, Topic, topic_id, "topic")
    _get(session, Stakeholder, stakeholder_id, "stakeholder")
    _fail(check_stance(stance))
    if as_of > dt.date.today():
        _fail(check_as_of(as_of.isoformat())[1])
    if len(headline.strip()) > HEADLINE_LIMIT:
        _fail(f"the one-line position is longer than {HEADLINE_LIMIT} characters")
    if not summary.strip() and not headline.strip():
        _fail("say what the position is: a summary or a one-line position")
    headline = headline.strip() or _first_line(summary)
    position = session.scalars(
        select(Position).where(
            Position.topic_id == topic_id,
            Position.stakeholder_id == stakeholder_id,
            Position.as_of == as_of,
        )
    ).first()
    who = session.get(Stakeholder, stakeholder_id).name
    check_version(position, expected_version, f"the position of {who} on {as_of.isoformat()}")
    if position is None:
        position = Position(topic_id=topic_id, stakeholder_id=stakeholder_id, as_of=as_of)
        session.add(position)
    position.stance = stance
    position.summary = clean_text(summary, "summary").strip()
    position.headline = clean_line(headline, "one-line position", HEADLINE_LIMIT)
    session.flush()
    _link(session, topic_id, stakeholder_id)
    return _edited(position.id, "position")


def _first_line(summary: str) -> str:
    """A headline from the summary when none is given: its first line, without Markdown marks."""
    line = next((ln.strip() for ln in summary.splitlines() if ln.strip()), "")
    line = line.lstrip("#>*- ").replace("**", "").replace("__", "")
    return line if len(line) <= HEADLINE_LIMIT else line[: HEADLINE_LIMIT - 1] + "\u2026"


def delete_position(session: Session, position_id: int) -> Edited:
    position = _get(session, Position, position_id, "position")
    session.delete(position)
    session.flush()
    return _edited(position_id, "position", "note")


# -- questions and answers ---------------------------------------------------------------------


def add_question(session: Session, topic_id: int, text: str) -> Edited:
    _get(session, Topic, topic_id, "topic")
    _fail(check_question_text(session, topic_id, text))
    last = session.scalar(
        select(func.max(Question.sort_order)).where(Question.topic_id == topic_id)
    )
    question = Question(
        topic_id=topic_id,
        text=clean_line(text, "question", QUESTION_LIMIT),
        sort_order=(last + 1) if last is not None else 0,
    )
    session.add(question)
    session.flush()
    return _edited(question.id, "question")


def edit_question(
    session: Session, question_id: int, text: str, *, expected_version: Version | None = None
) -> Edited:
    check_version(session.get(Question, question_id), expected_version, "the question")
    question = _get(session, Question, question_id, "question")
    _fail(check_question_text(session, question.topic_id, text, question_id))
    question.text = clean_line(text, "question", QUESTION_LIMIT)
    session.flush()
    return _edited(question_id, "question")


def question_text(session: Session, question_id: int) -> str:
    """A question's words as they are now, for a form to start from."""
    return _get(session, Question, question_id, "question").text


def topic_questions(session: Session, topic_id: int) -> list[Question]:
    return list(
        session.scalars(
            select(Question)
            .where(Question.topic_id == topic_id)
            .order_by(Question.sort_order, Question.id)
        )
    )


def move_question(session: Session, question_id: int, steps: int) -> Edited:
    """Move a question up (negative) or down the topic's order; the ends stop it."""
    question = _get(session, Question, question_id, "question")
    questions = topic_questions(session, question.topic_id)
    index = questions.index(question)
    target = max(0, min(len(questions) - 1, index + steps))
    questions.insert(target, questions.pop(index))
    for order, item in enumerate(questions):
        if item.sort_order != order:
            item.sort_order = order
    session.flush()
    return _edited(question_id, "question")


def delete_question(session: Session, question_id: int) -> Edited:
    question = _get(session, Question, question_id, "question")
    session.delete(question)
    session.flush()
    return _edited(question_id, "question", "answer")


def set_answer(
    session: Session,
    question_id: int,
    stakeholder_id: int,
    answer: str,
    quote_id: int | None = None,
    comment: str | None = None,
    *,
    expected_version: Version | None = None,
) -> Edited:
    """The stakeholder's answer to a question (one per pair), backed by one of its quotes.

    `expected_version`: the answer's version when the editor showed it (`versions.ABSENT` for
    none), so an answer set elsewhere since is not replaced."""
    _get(session, Question, question_id, "question")
    _get(session, Stakeholder, stakeholder_id, "stakeholder")
    _fail(check_answer(answer))
    _fail(check_quote_for(session, stakeholder_id, quote_id))
    row = session.scalars(
        select(Answer).where(
            Answer.question_id == question_id, Answer.stakeholder_id == stakeholder_id
        )
    ).first()
    check_version(row, expected_version, "the answer")
    if row is None:
        row = Answer(question_id=question_id, stakeholder_id=stakeholder_id, comment="")
        session.add(row)
    row.answer = answer
    row.quote_id = quote_id
    if comment is not None:
        row.comment = clean_text(comment, "comment").strip()
    session.flush()
    return _edited(row.id, "answer")


def delete_answer(session: Session, question_id: int, stakeholder_id: int) -> Edited:
    row = session.scalars(
        select(Answer).where(
            Answer.question_id == question_id, Answer.stakeholder_id == stakeholder_id
        )
    ).first()
    if row is None:
        raise NotFound("that stakeholder has not answered that question")
    answer_id = row.id
    session.delete(row)
    session.flush()
    return _edited(answer_id, "answer")


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFields:
    title: str
    occurred_on: dt.date
    precision: str = "day"
    stakeholder_id: int | None = None
    source_id: int | None = None


def _check_event(session: Session, fields: EventFields) -> None:
    _fail(check_event_title(fields.title))
    if fields.precision not in DATE_PRECISIONS:
        _fail(f"precision {fields.precision!r} is not one of {', '.join(DATE_PRECISIONS)}")
    if fields.stakeholder_id is not None:
        _get(session, Stakeholder, fields.stakeholder_id, "stakeholder")
    if fields.source_id is not None:
        _get(session, Source, fields.source_id, "source")


def add_event(session: Session, topic_id: int, fields: EventFields) -> Edited:
    _get(session, Topic, topic_id, "topic")
    _check_event(session, fields)
    event = Event(topic_id=topic_id)
    _fill_event(event, fields)
    session.add(event)
    session.flush()
    return _edited(event.id, "event")


def _fill_event(event: Event, fields: EventFields) -> None:
    event.title = clean_line(fields.title, "event title", TITLE_LIMIT)
    event.occurred_on = fields.occurred_on
    event.precision = fields.precision
    event.stakeholder_id = fields.stakeholder_id
    event.source_id = fields.source_id


def edit_event(
    session: Session, event_id: int, fields: EventFields, *, expected_version: Version | None = None
) -> Edited:
    check_version(session.get(Event, event_id), expected_version, "the event")
    event = _get(session, Event, event_id, "event")
    _check_event(session, fields)
    _fill_event(event, fields)
    session.flush()
    return _edited(event_id, "event")


def delete_event(session: Session, event_id: int) -> Edited:
    event = _get(session, Event, event_id, "event")
    session.delete(event)
    session.flush()
    return _edited(event_id, "event")


def stakeholder_fields(session: Session, stakeholder_id: int) -> StakeholderFields:
    """A stakeholder's editable fields as they are now, for a form to start from."""
    s = _get(session, Stakeholder, stakeholder_id, "stakeholder")
    return StakeholderFields(s.name, s.kind, s.description, s.parent_id, s.influence)


def latest_stance(session: Session, topic_id: int, stakeholder_id: int) -> str | None:
    return session.scalars(
        select(Position.stance)
        .where(Position.topic_id == topic_id, Position.stakeholder_id == stakeholder_id)
        .order_by(Position.as_of.desc(), Position.id.desc())
    ).first()


@dataclass(frozen=True)
class EventLine:
    """An event as the timeline panel lists it, with what its form starts from."""

    id: int
    fields: EventFields
    stakeholder: str | None

    @property
    def date_text(self) -> str:
        """The date as the user typed it: "2019", "2019-09" or "2019-09-04"."""
        day = self.fields.occurred_on
        if self.fields.precision == "year":
            return f"{day.year:04d}"
        if self.fields.precision == "month":
            return f"{day.year:04d}-{day.month:02d}"
        return day.isoformat()


def topic_events(session: Session, topic_id: int) -> list[EventLine]:
    rows = session.execute(
        select(Event, Stakeholder.name)
        .outerjoin(Stakeholder, Stakeholder.id == Event.stakeholder_id)
        .where(Event.topic_id == topic_id)
        .order_by(Event.occurred_on, Event.id)
    )
    return [
        EventLine(
            event.id,
            EventFields(
                event.title,
                event.occurred_on,
                event.precision,
                event.stakeholder_id,
                event.source_id,
            ),
            name,
        )
        for event, name in rows
    ]


@dataclass(frozen=True)
class PositionLine:
    """A dated position as the history panel lists it (a plain record: nothing outlives its
    session)."""

    id: int
    stance: str
    as_of: dt.date | None
    headline: str
    summary: str = ""


def stakeholder_positions(
    session: Session, topic_id: int, stakeholder_id: int
) -> list[PositionLine]:
    """A stakeholder's positions on a topic, the latest (the one its card shows) first."""
    rows = session.execute(
        select(Position.id, Position.stance, Position.as_of, Position.headline, Position.summary)
        .where(Position.topic_id == topic_id, Position.stakeholder_id == stakeholder_id)
        .order_by(Position.as_of.desc(), Position.id.desc())
    )
    return [
        PositionLine(row.id, row.stance, row.as_of, row.headline, row.summary or "") for row in rows
    ]
