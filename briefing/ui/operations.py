"""Changes to the store made from the GUI: one transaction each, announced when committed.

Slots never write to the store themselves. They hand a use case from `briefing.core` to
`Operations.submit` (a change that is not undone and whose outcome can arrive later, such as a
note saving itself as the user types), `Operations.run` (the same, when the caller needs the
answer before it goes on) or `Operations.push` (an edit the user can undo and redo from the Edit
menu). Every change runs in one transaction on the store runner's single writer thread
(`ui.store_runner`), never on the GUI thread, and `changed` then tells every view what kinds of
record it touched, so that each refreshes itself (the pattern of Anki's CollectionOp).

Undo and redo go through `Operations.undo` and `Operations.redo` (the Edit menu's actions come
from `create_undo_action` / `create_redo_action`), never through `QUndoStack.undo()` directly.
The reason is refusal: an undo may be refused (`core.undo.UndoConflict`: the records it would
restore were changed since by an edit off the stack, such as a note that saved itself). A
QUndoStack moves its index whatever `QUndoCommand.undo()` does, so a refused step would be
skipped over and Edit > Undo would then offer the step before it, as if this one were undone.
Instead `Operations.undo` runs the step's change first, in its own transaction; only when that
commits does it move the stack (whose command then knows the work is done and does nothing
more). A refused step leaves the store and the stack's index exactly as they were, and
`refused` says why, so the window can tell the user; Ctrl+Z again meets the same refusal
until the user removes its cause.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack

from briefing.core.changes import Changes
from briefing.errors import BriefingError
from briefing.store import Store
from briefing.ui.store_runner import StoreRunner

Change = Callable[..., Changes]  # takes a Session, returns what it changed


class _UndoableChange(QUndoCommand):
    """A step of the stack. Its change has normally already run when the stack calls it."""

    def __init__(self, operations: Operations, text: str, do: Change, undo: Change) -> None:
        super().__init__(text)
        self._operations = operations
        self._do = do
        self._undo = undo
        # `push` has already run `do`, so the stack's redo on push has nothing left to do.
        self.performed = True

    def run_do(self) -> Changes:
        return self._operations.run(self._do)

    def run_undo(self) -> Changes:
        return self._operations.run(self._undo)

    def redo(self) -> None:
        if self.performed:
            self.performed = False
            return
        self.run_do()  # only if someone drove the stack directly, not through Operations

    def undo(self) -> None:
        if self.performed:
            self.performed = False
            return
        self.run_undo()


class Operations(QObject):
    changed = Signal(object)  # Changes
    refused = Signal(str, str)  # what was refused ("Undo Delete IBM"), and why in words
    stepped = Signal(str)  # what an undo or redo did, in words: "Undid Set position of IBM"

    def __init__(
        self, store: Store, parent: QObject | None = None, *, runner: StoreRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner if runner is not None else StoreRunner(store, self)
        self.runner.announce = self.changed.emit
        self.undo_stack = QUndoStack(self)

    def run(self, change: Change) -> Changes:
        """Run `change` in one transaction on the writer and wait for it; announce what it
        changed once it has committed. Raises what the change raised (nothing was written)."""
        return self.runner.call(change)

    def submit(
        self,
        change: Callable[..., Any],
        *,
        success: Callable[[Any], Any] | None = None,
        failure: Callable[[BaseException], Any] | None = None,
        what: str = "saving a change",
    ) -> Future:
        """Run `change` in one transaction on the writer without waiting; once it has committed,
        announce what it changed (its result, or its result's `changes`), then `success`."""
        return self.runner.write(change, success=success, failure=failure, what=what)

    def push(self, text: str, do: Change, undo: Change) -> Changes:
        """Run `do` now and put it on the undo stack as `text` ("Delete note").

        An error raised by `do` reaches the caller and nothing is pushed.
        """
        changes = self.run(do)
        self.undo_stack.push(_UndoableChange(self, text, do, undo))
        return changes

    def push_done(self, text: str, do: Change, undo: Change, changes: Changes) -> None:
        """Put a change that has already run and committed (in a background job, such as a pack
        import) on the undo stack as `text`, and announce it."""
        self.undo_stack.push(_UndoableChange(self, text, do, undo))
        if changes:
            self.changed.emit(changes)

    def undo(self) -> bool:
        """Undo the last step; False (and `refused`) if it was refused and nothing moved."""
        stack = self.undo_stack
        if not stack.canUndo():
            return False
        command = stack.command(stack.index() - 1)
        if not self._perform(command, command.run_undo, "Undo"):
            return False
        command.performed = True
        stack.undo()
        self.stepped.emit(f"Undid {command.text()}")
        return True

    def redo(self) -> bool:
        """Redo the next step; False (and `refused`) if it was refused and nothing moved."""
        stack = self.undo_stack
        if not stack.canRedo():
            return False
        command = stack.command(stack.index())
        if not self._perform(command, command.run_do, "Redo"):
            return False
        command.performed = True
        stack.redo()
        self.stepped.emit(f"Redid {command.text()}")
        return True

    def _perform(self, command: _UndoableChange, step: Callable[[], Changes], what: str) -> bool:
        try:
            step()
        except BriefingError as error:  # the transaction rolled back: nothing changed
            self.refused.emit(f"{what} {command.text()}", str(error))
            return False
        return True

    def create_undo_action(self, parent: QObject, prefix: str = "&Undo") -> QAction:
        """An Edit menu action that undoes through `undo`, named after the step it undoes."""
        return self._action(parent, prefix, self.undo, "canUndo", "undoText")

    def create_redo_action(self, parent: QObject, prefix: str = "&Redo") -> QAction:
        return self._action(parent, prefix, self.redo, "canRedo", "redoText")

    def _action(self, parent, prefix: str, slot, can: str, text: str) -> QAction:
        action = _StepAction(prefix, parent)
        stack = self.undo_stack
        action.name(getattr(stack, text)())
        action.setEnabled(getattr(stack, can)())
        # Slots of the action, so that Qt disconnects them when either side is destroyed.
        getattr(stack, text + "Changed").connect(action.name)
        getattr(stack, can + "Changed").connect(action.setEnabled)
        action.triggered.connect(slot)
        return action


class _StepAction(QAction):
    """What QUndoStack.createUndoAction makes ("&Undo Delete IBM"), triggering our slot instead
    of the stack's."""

    def __init__(self, prefix: str, parent: QObject | None) -> None:
        super().__init__(prefix, parent)
        # Kept on the C++ side: a parentless action's Python wrapper may be collected and made
        # anew (without __init__) while the stack still signals it.
        self.setProperty("step_prefix", prefix)

    @Slot(str)
    def name(self, step: str) -> None:
        prefix = self.property("step_prefix") or ""
        self.setText(f"{prefix} {step}" if step else prefix)
