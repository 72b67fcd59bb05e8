"""What search finds and how many, without the search machinery: for the command line's
options, which are built at every start (the window's too), before anything is searched."""

from __future__ import annotations

# Kinds in the order results are grouped and shown, with the words the GUI uses for a group.
KINDS = ("stakeholder", "position", "quote", "source", "note")
KIND_TITLES = {
    "stakeholder": "Stakeholders",
    "position": "Positions",
    "quote": "Quotes",
    "source": "Sources",
    "note": "Notes",
}
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
