"""Changes to the store made from the GUI: one transaction each, announced when committed.

Slots never write to the store themselves. They hand a use case from `briefing.core` to
`Operations.run` (a change that is not undone, such as a note saving itself as the user types)
or to `Operations.push` (an edit the user can undo and redo from the Edit menu). Either way the
change runs in one transaction, and `changed` then tells every view what kinds of record it
touched, so that each refreshes itself (the pattern of Anki's CollectionOp).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from briefing.core.changes import Changes
from briefing.store import Store

Change = Callable[..., Changes]  # takes a Session, returns what it changed


class _UndoableChange(QUndoCommand):
    def __init__(self, operations: Operations, text: str, do: Change, undo: Change) -> None:
        super().__init__(text)
        self._operations = operations
        self._do = do
        self._undo = undo
        self._done_once = True  # `push` has already run `do`, so the stack's first redo skips it

    def redo(self) -> None:
        if self._done_once:
            self._done_once = False
            return
        self._operations.run(self._do)

    def undo(self) -> None:
        self._operations.run(self._undo)


class Operations(QObject):
    changed = Signal(object)  # Changes

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)

    def run(self, change: Change) -> Changes:
        """Run `change` in one transaction; announce what it changed once it has committed."""
        with self.store.writing() as session:
            changes = change(session)
        if changes:
            self.changed.emit(changes)
        return changes

    def push(self, text: str, do: Change, undo: Change) -> Changes:
        """Run `do` now and put it on the undo stack as `text` ("Delete note").

        An error raised by `do` reaches the caller and nothing is pushed.
        """
        changes = self.run(do)
        self.undo_stack.push(_UndoableChange(self, text, do, undo))
        return changes
