"""Markdown and briefings to sanitised HTML. No Qt here."""
