"""Use cases over the store: reading cards, loading the demo, verifying quotes. No Qt here.

Functions take a SQLAlchemy session owned by the caller (one per user action) and return plain
dataclasses, so the GUI and the command line share them and neither runs SQL of its own.
"""
