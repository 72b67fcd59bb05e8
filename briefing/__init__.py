"""Briefing: offline briefings on civil-liberties issues, backed by verified quotes."""

__version__ = "0.1.0"
