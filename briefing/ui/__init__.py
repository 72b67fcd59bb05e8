"""The desktop app: windows, item models, delegates and dialogs. The only layer with widgets.

Widgets read and change the store only through `briefing.core` use cases, with a session per user
action taken from the `Store`; no module here imports SQLAlchemy.
"""
