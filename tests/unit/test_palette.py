"""Stance and answer colours live in one table (`briefing.render.palette`) and nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

from briefing.render import palette
from briefing.store.models import STANCES

ROOT = Path(__file__).resolve().parents[2]


def test_every_stance_has_a_badge_and_a_css_rule() -> None:
    css = palette.stance_css()
    for stance in STANCES:
        assert stance in palette.STANCE
        background, text = palette.STANCE[stance]
        assert f".stance-{stance} {{ color: {text}; background-color: {background}; }}" in css


def test_no_stance_or_answer_colour_is_written_out_again() -> None:
    """A colour of a badge typed anywhere else is a second definition that will drift."""
    badges = {
        colour.lower()
        for table in (palette.STANCE, palette.ANSWER)
        for pair in table.values()
        for colour in pair
        if colour.lower() not in ("#ffffff", palette.TEXT, palette.MUTED, palette.BORDER)
    }
    places = [*(ROOT / "briefing").rglob("*.py"), *(ROOT / "resources").rglob("*.css")]
    found = []
    for path in places:
        if path.name == "palette.py":
            continue
        for colour in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text(encoding="utf-8")):
            if colour.lower() in badges:
                found.append(f"{path.relative_to(ROOT)}: {colour}")
    assert not found, found
