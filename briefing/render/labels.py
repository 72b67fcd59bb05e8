"""Stances and kinds of stakeholder in words: what a card, a badge and the details call them.

Kept apart from `render.detail` (which reads the store's records) so that the window's first
screen can paint its cards before the store's libraries are loaded (`briefing.store.first_screen`).
"""

from __future__ import annotations

STANCE_LABELS = {
    "opposes": "Opposes",
    "supports": "Supports",
    "conditional": "Conditional",
    "unclear": "Unclear",
}
KIND_LABELS = {
    "ngo": "NGO",
    "company": "Company",
    "person": "Person",
    "police": "Police",
    "regulator": "Regulator",
    "legislature": "Legislature",
    "government": "Government",
    "academic": "Academic",
    "other": "Other",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize())


def stance_label(stance: str | None) -> str:
    return STANCE_LABELS.get(stance or "", "No position")
