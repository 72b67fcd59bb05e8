"""The app's colours, in one place: stances, answers, statuses and the few neutral tones.

Hex strings only (no Qt), so that the window (`ui/theme.py` turns them into QColors, the card
painter, the forms, the comparison and the side panel's style sheet) and every export
(`render/briefing.py`, `export/pdf.py`) draw from the same table. A stance or an answer is always
shown by a word as well as a colour; the pairs keep a readable contrast (dark text on amber).
"""

from __future__ import annotations

# Neutral tones.
TEXT = "#1f2328"
INK = "#24324a"  # headings of exports and the side panel
MUTED = "#57606a"
BORDER = "#d0d7de"
HOVER_BORDER = "#8c959f"
SELECTED = "#0969da"
QUOTE_BAR = "#afb8c1"
WINDOW_BACKGROUND = "#f6f8fa"
CARD_BACKGROUND = "#ffffff"
LINK = "#0550ae"

# Meanings.
OK = "#1a7f37"  # verified, ready, yes
WARNING = "#9a6700"  # altered, partly
WARNING_STRONG = "#8a5300"  # a warning line in a form (darker: it stands on a light window)
ERROR = "#b42318"  # not found, refused, no
PRIVATE = "#8250df"
MATCH = "#fff1a8"  # a search match, wherever it is highlighted
CHANGED_BACKGROUND = "#fff1c2"

# stance: (badge background, badge text)
STANCE: dict[str | None, tuple[str, str]] = {
    "opposes": (ERROR, "#ffffff"),
    "supports": (OK, "#ffffff"),
    "conditional": ("#f2b300", TEXT),
    "unclear": ("#6e7781", "#ffffff"),
    None: (BORDER, TEXT),
}

# a stakeholder's kind: the marks of the stakeholder map and the timeline (each also has a shape)
KIND: dict[str, str] = {
    "company": SELECTED,
    "person": PRIVATE,
    "ngo": OK,
    "police": INK,
    "regulator": "#bc4c00",
    "legislature": WARNING,
    "government": "#cf222e",
    "academic": "#1b7c83",
    "other": "#6e7781",
    "topic": MUTED,
}

# a comparison answer: (cell background, cell text)
ANSWER: dict[str | None, tuple[str, str]] = {
    "yes": (OK, "#ffffff"),
    "no": (ERROR, "#ffffff"),
    "partly": ("#f2b300", TEXT),
    "unknown": (BORDER, TEXT),
    None: ("#ffffff", MUTED),
}

# a comparison answer or a quote's check written as coloured words (no background)
ANSWER_TEXT: dict[str, str] = {"yes": OK, "no": ERROR, "partly": WARNING, "unknown": MUTED}


def stance_pair(stance: str | None) -> tuple[str, str]:
    """(background, text) of a stance's badge; an unknown stance looks like no stance."""
    return STANCE.get(stance, STANCE[None])


def answer_pair(answer: str | None) -> tuple[str, str]:
    return ANSWER.get(answer, ANSWER[None])


def stance_css() -> str:
    """The badge rules of the side panel's style sheet (`.stance-opposes` ...)."""
    return "\n".join(
        f".stance-{stance} {{ color: {text}; background-color: {background}; }}"
        for stance, (background, text) in STANCE.items()
        if stance is not None
    )


def answer_css() -> str:
    """The side panel's answer words (`.answer-yes` ...)."""
    return "\n".join(
        f".answer-{answer} {{ color: {colour}; }}" for answer, colour in ANSWER_TEXT.items()
    )


def status_css() -> str:
    """The side panel's quote checks and differences (`.check-exact`, `s.gone` ...)."""
    return "\n".join(
        (
            f".check-exact, .check-normalized {{ color: {OK}; font-style: normal; }}",
            f".check-altered {{ color: {WARNING}; font-weight: bold; }}",
            f".check-not_found {{ color: {ERROR}; font-weight: bold; }}",
            f"s.gone {{ color: {ERROR}; }}",
            f".relation-conflict {{ color: {WARNING}; font-weight: bold; }}",
            f".relation-same, .relation-typography {{ color: {OK}; }}",
        )
    )
