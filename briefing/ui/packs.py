"""Sharing a topic as one file, and importing what colleagues send, from the window.

File > Share topic as file… writes the current topic to a pack (`core.packs.export_pack`) in a
background job with progress and Cancel. File > Import shared file…, or dropping a `.briefingpack`
on the window, imports one in three steps:

1. a background job reads and checks the pack and merges it in a transaction that is rolled back
   (`core.packs.merge_pack` as a dry run): nothing changes, but the report says exactly what an
   import would add, skip and find in conflict;
2. the preview (`PackPreviewDialog`) shows that report, with every conflict's two versions and
   the rule that settles them, which the user may change; nothing changes until Import;
3. a background job takes the backup, then merges the pack in one transaction, recorded by
   `core.undo.Recorded`, so that Edit > Undo takes back the whole import (and Redo puts it back).
   Cancel rolls that transaction back: a cancelled import changes nothing.

Bad packs are refused in words at step 1, before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefing.core import packs
from briefing.core.changes import Changes
from briefing.core.notes import list_notes
from briefing.core.pack_format import PackCancelled, is_sealed_pack, read_pack
from briefing.core.undo import Recorded
from briefing.ui.jobs import BackgroundJob

if TYPE_CHECKING:
    from briefing.store import Store
    from briefing.ui.panel import PanelContext

FILE_FILTER = "Briefing packs (*.briefingpack);;All files (*)"
RULE_CHOICES = (
    (packs.KEEP_BOTH, "Keep both versions of a dated position; keep mine of anything else"),
    (packs.KEEP_MINE, "Keep mine"),
    (packs.TAKE_THEIRS, "Take theirs"),
)


# The report's words for what was done, as the preview says what will be done.
_WILL = {
    "kept mine": "Yours stays",
    "took theirs": "Theirs replaces yours",
    "kept both": "Both kept, side by side",
}


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def counts_in_words(counts: dict[str, int]) -> str:
    if not counts:
        return "nothing"
    return ", ".join(_plural(n, kind) for kind, n in sorted(counts.items()))


def _value(value) -> str:
    text = "(none)" if value is None or value == "" else str(value)
    if isinstance(value, list):
        text = ", ".join(value) or "(none)"
    return text


# -- preview -----------------------------------------------------------------------------------


class PackPreviewDialog(QDialog):
    """What an import would do, before anything changes: added, skipped, conflicts and rule."""

    def __init__(self, report: packs.ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        name = Path(report.pack).name
        self.setWindowTitle(f"Import {name}")
        self.setAccessibleName("Import shared file preview")
        self.resize(820, 560)

        heading = QLabel(
            f"<b>{_escape(name)}</b> shares the topic <b>{_escape(report.topic)}</b>. "
            "Nothing has changed yet."
        )
        heading.setWordWrap(True)
        self.summary = QLabel(self._summary())
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the import will do")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.rule = QComboBox()
        self.rule.setAccessibleName("Rule for conflicts")
        for rule, words in RULE_CHOICES:
            self.rule.addItem(words, rule)
        self.rule.setCurrentIndex(self.rule.findData(report.rule))
        self.rule.currentIndexChanged.connect(self._show_conflicts)
        rule_label = QLabel("When a record was changed on both sides:")
        rule_label.setBuddy(self.rule)

        self.conflicts = QTreeWidget()
        self.conflicts.setAccessibleName("Conflicts")
        self.conflicts.setHeaderLabels(["Record and field", "Mine", "Theirs"])
        self.conflicts.setColumnWidth(0, 180)
        self.conflicts.setColumnWidth(1, 300)
        self.conflicts.setWordWrap(True)
        self._show_conflicts()

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        if report.conflicts:
            layout.addWidget(rule_label)
            layout.addWidget(self.rule)
            layout.addWidget(self.conflicts, 1)
        else:
            self.conflicts.hide()
            self.rule.hide()
            layout.addStretch(1)
        layout.addWidget(buttons)
        self.import_button.setFocus()

    def _summary(self) -> str:
        r = self.report
        checked = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in r.quotes.items() if n
        )
        lines = [
            f"<p><b>Will add:</b> {counts_in_words(r.added)}.</p>",
            f"<p><b>Already here and the same, skipped:</b> {counts_in_words(r.skipped)}.</p>",
            f"<p><b>Changed on both sides:</b> {_plural(len(r.conflicts), 'conflict')}"
            + (", listed below with both versions." if r.conflicts else ".")
            + "</p>",
            f"<p><b>Quotes checked against their sources:</b> {checked or 'none in the file'}."
            + (
                f" {_plural(len(r.quote_problems), 'quote')} do not match their source."
                if r.quote_problems
                else ""
            )
            + "</p>",
        ]
        if r.include_private:
            lines.append("<p>The file holds private notes; they stay private here.</p>")
        return "".join(lines)

    def chosen_rule(self) -> str:
        return self.rule.currentData()

    def _show_conflicts(self) -> None:
        rule = self.chosen_rule()
        self.conflicts.clear()
        for conflict in self.report.conflicts:
            what = _WILL[packs.resolution_for(conflict.kind, rule)]
            top = QTreeWidgetItem([f"{conflict.label} ({conflict.kind}) \u2014 {what}"])
            top.setToolTip(0, top.text(0))
            for key in conflict.fields:
                mine, theirs = _value(conflict.mine[key]), _value(conflict.theirs[key])
                child = QTreeWidgetItem([key, mine, theirs])
                child.setToolTip(1, mine)
                child.setToolTip(2, theirs)
                top.addChild(child)
            self.conflicts.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # the record and what happens to it, in one line
            top.setExpanded(True)

    @classmethod
    def ask(cls, parent: QWidget, report: packs.ImportReport) -> str | None:
        """The rule chosen if the user says Import, else None. Tests replace this."""
        dialog = cls(report, parent)
        try:
            return dialog.chosen_rule() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- asking ------------------------------------------------------------------------------------


class PackQuestions:
    """The questions sharing and importing ask; tests replace these static methods."""

    @staticmethod
    def destination(parent: QWidget, topic: str) -> Path | None:
        suggested = "".join(c if c.isalnum() or c in " -_" else "_" for c in topic).strip()
        name, _ = QFileDialog.getSaveFileName(
            parent, "Share topic as file", f"{suggested or 'topic'}{packs.SUFFIX}", FILE_FILTER
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_name(path.name + packs.SUFFIX)

    @staticmethod
    def include_private(parent: QWidget) -> bool | None:
        """Whether private notes go too (each marked private); None to stop."""
        box = QMessageBox(parent)
        box.setWindowTitle("Share topic as file")
        box.setText("Include your private notes on this topic in the file?")
        box.setInformativeText(
            "Whoever receives the file can read them. They are marked private there. "
            "Notes that are not private go in either way."
        )
        leave_out = box.addButton("&Leave them out", QMessageBox.ButtonRole.AcceptRole)
        include = box.addButton("&Include them", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(leave_out)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is leave_out:
            return False
        if clicked is include:
            return True
        return None

    @staticmethod
    def pack_file(parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Import shared file", "", FILE_FILTER)
        return Path(name) if name else None

    @staticmethod
    def pack_passphrase(parent: QWidget, name: str) -> str | None:
        """The passphrase of a pack that has one, typed without echo; None to stop."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        words, ok = QInputDialog.getText(
            parent,
            "Import shared file",
            f"{name} has its own passphrase. Type it to import the file:",
            QLineEdit.EchoMode.Password,
        )
        return words if ok else None

    @staticmethod
    def tell(parent: QWidget, title: str, message: str) -> None:
        QMessageBox.warning(parent, title, message)


# -- the work ----------------------------------------------------------------------------------


class PackTask(QObject):
    """One share or import: its background jobs, its progress dialog, how it ended."""

    finished = Signal(str)  # "shared", "imported", "refused", "cancelled", "declined", "failed"

    def __init__(self, owner: Packs, title: str) -> None:
        super().__init__(owner.context.window)
        self.owner = owner
        self.window = owner.context.window  # the parent of its dialogs
        self.title = title
        self.job: BackgroundJob | None = None
        self.progress: QProgressDialog | None = None
        self.report: packs.ImportReport | None = None
        self.outcome = ""

    def run(self, label: str, work, then) -> BackgroundJob:
        self._close_progress()
        dialog = self.progress = QProgressDialog(f"{label}\u2026", "Cancel", 0, 0, self.window)
        dialog.setWindowTitle(self.title)
        dialog.setAccessibleName(f"{self.title} progress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        job = self.job = BackgroundJob(
            work,
            stopped_by=PackCancelled,
            unexpected=f"{self.title.lower()} failed unexpectedly: {{error}}; nothing was changed",
            parent=self,
        )
        dialog.canceled.connect(job.cancel)
        # Bound methods of this object, so that Qt queues them to the GUI thread.
        job.progressed.connect(self._progressed)
        job.succeeded.connect(then)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.start()
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def wait(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait()

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _failed(self, message: str) -> None:
        self._close_progress()
        PackQuestions.tell(self.window, self.title, message)
        self.end("refused")

    def _cancelled(self) -> None:
        self._close_progress()
        self.owner.context.status(f"{self.title}: cancelled; nothing was changed", 8000)
        self.end("cancelled")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None

    def end(self, outcome: str) -> None:
        self._close_progress()
        job, self.job = self.job, None
        if job is not None:
            job.wait()
            job.deleteLater()
        self.outcome = outcome
        tasks = self.owner.tasks
        if self in tasks:
            tasks.remove(self)
        self.finished.emit(outcome)
        self.deleteLater()


class _ShareTask(PackTask):
    def __init__(self, owner: Packs) -> None:
        super().__init__(owner, "Share topic as file")
        self.exported: packs.ExportedPack | None = None

    def shared(self, done: packs.ExportedPack) -> None:
        self.exported = done
        counts = done.counts
        private_words = " with private notes, marked private" if done.include_private else ""
        self.owner.context.status(
            f"Shared \u201c{done.topic}\u201d as {Path(done.path).name}{private_words}: "
            f"{_plural(counts['stakeholders'], 'stakeholder')}, "
            f"{_plural(counts['quotes'], 'quote')}, {_plural(counts['sources'], 'source')}, "
            f"{_plural(counts['notes'], 'note')}",
            10000,
        )
        self.end("shared")


class _ImportFlow(PackTask):
    """Read and preview, then import in the background, then put the import on the undo stack."""

    def __init__(self, owner: Packs, path: Path) -> None:
        super().__init__(owner, "Import shared file")
        self.path = path
        self.pack = None
        self.recorded: Recorded | None = None

    def start(self) -> None:
        store, path = self.owner.store, self.path
        passphrase = None
        if is_sealed_pack(path):
            passphrase = PackQuestions.pack_passphrase(self.owner.context.window, path.name)
            if passphrase is None:
                self.owner.context.status(f"Nothing imported from {path.name}", 8000)
                self.end("declined")
                return

        def plan(progress, cancelled):
            pack = read_pack(path, progress=progress, cancelled=cancelled, passphrase=passphrase)
            with store.reading() as session:
                report = packs.merge_pack(session, pack, dry_run=True, cancelled=cancelled)
                session.rollback()
            return pack, report

        self.run(f"Reading {path.name}", plan, self._planned)

    def _planned(self, result) -> None:
        self._close_progress()
        self.pack, planned = result
        self.report = planned
        rule = PackPreviewDialog.ask(self.window, planned)
        if rule is None:
            self.owner.context.status(f"Nothing imported from {self.path.name}", 8000)
            self.end("declined")
            return
        store, pack, runner = self.owner.store, self.pack, self.owner.context.runner
        reports: list[packs.ImportReport] = []

        def work(progress, cancelled):
            def merge(session) -> Changes:
                report = packs.merge_pack(
                    session, pack, rule=rule, progress=progress, cancelled=cancelled
                )
                reports.append(report)
                return report.changes

            with store.reading() as session:
                packs.refuse_rewritten_sources(session, pack)
            backup = packs.backup_before_import(store)
            recorded = Recorded(merge)
            # On the store's one writer, in turn with the window's own saves.
            runner.write_from_job(recorded.do)
            report = reports[-1]
            report.backup = None if backup is None else str(backup)
            return recorded, report

        self.run(f"Importing {self.path.name}", work, self._imported)

    def _imported(self, result) -> None:
        self._close_progress()
        self.recorded, report = result
        self.report = report
        recorded = self.recorded
        self.owner.context.operations.push_done(
            f"Import {self.path.name}", recorded.do, recorded.undo, report.changes
        )
        conflicts = len(report.conflicts)
        self.owner.context.status(
            f"Imported {self.path.name}: added {counts_in_words(report.added)}; "
            f"{_plural(conflicts, 'conflict')} settled; Edit > Undo takes it all back",
            15000,
        )
        self.end("imported")


def _packs(urls) -> list[Path]:
    return [
        Path(url.toLocalFile())
        for url in urls
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() == packs.SUFFIX
    ]


class _PackDrop(QObject):
    """Lets the window take a pack dropped anywhere on it; other files go on to other filters."""

    def __init__(self, owner: Packs) -> None:
        super().__init__(owner.context.window)
        self._owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls() and _packs(event.mimeData().urls()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and event.mimeData().hasUrls():
            found = _packs(event.mimeData().urls())
            if found:
                event.acceptProposedAction()
                for path in found[:1]:  # one import at a time: each has its own preview
                    self._owner.import_file(path)
                return True
        elif kind == QEvent.Type.Close:
            for task in list(self._owner.tasks):
                task.wait()  # a worker must not outlive the window
        return False


class Packs:
    """File > Share topic as file… and Import shared file…, packs dropped on the window
    (`drops`, an event filter the window installs), and the shares and imports under way."""

    def __init__(self, context: PanelContext, store: Store) -> None:
        """`store`: the store itself, which shares and imports read in their own threads."""
        self.context = context
        self.store = store
        self.tasks: list[PackTask] = []
        window = context.window
        self.share_action = QAction("S&hare topic as file\u2026", window)
        self.share_action.setStatusTip("Write this topic to one file a colleague can import")
        self.share_action.triggered.connect(self.share_topic)
        self.import_action = QAction("I&mport shared file\u2026", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.import_action.setStatusTip(
            "Merge a topic a colleague shared: see what it adds before it does"
        )
        self.import_action.triggered.connect(lambda: self.import_file())
        menus = context.menus
        menus.file.insertAction(menus.quit_action, self.share_action)
        menus.file.insertAction(menus.quit_action, self.import_action)
        menus.file.insertSeparator(menus.quit_action)
        self.drops = _PackDrop(self)

    def share_topic(self) -> PackTask | None:
        """File > Share topic as file…: the current topic, to a pack the user names."""
        window, shown = self.context.window, self.context.shown
        if shown.topic_id is None:
            PackQuestions.tell(window, "Share topic as file", "There is no topic to share yet.")
            return None
        topic_id = shown.topic_id
        path = PackQuestions.destination(window, shown.topic_name)
        if path is None:
            return None
        any_private = self.context.runner.read_now(
            lambda session: any(n.private for n in list_notes(session, include_private=True))
        )
        include_private = False
        if any_private:
            answer = PackQuestions.include_private(window)
            if answer is None:
                return None
            include_private = answer
        store = self.store

        def work(progress, cancelled) -> packs.ExportedPack:
            with store.reading() as session:
                return packs.export_pack(
                    session,
                    path,
                    topic_id=topic_id,
                    include_private=include_private,
                    progress=progress,
                    cancelled=cancelled,
                )

        task = _ShareTask(self)
        self.tasks.append(task)
        task.run(f"Writing {path.name}", work, task.shared)
        return task

    def import_file(self, path: Path | None = None) -> PackTask | None:
        """File > Import shared file… (or a dropped pack): preview, then import."""
        path = path or PackQuestions.pack_file(self.context.window)
        if path is None:
            return None
        flow = _ImportFlow(self, path)
        self.tasks.append(flow)
        flow.start()
        return flow
