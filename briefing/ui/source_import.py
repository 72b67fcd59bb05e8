"""Importing sources from the window: choosing files, asking the facts a file does not state,
reading and storing each in the background, and files dropped on the window.

Split from `ui/sources.py` (the Sources tab: the reader, its quotes, making new quotes), which
shows what was imported. The file chooser and the error box are module functions here, so that
tests replace them; `SourceFactsDialog` has an `ask()` classmethod.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from briefing.core.changes import Changes
from briefing.core.primary import mark_primary
from briefing.core.quotes import SpeakerChoice, speaker_choices
from briefing.core.sources import (
    KINDS,
    Extracted,
    ImportCancelled,
    Imported,
    import_in_steps,
    read_file,
    refuse_stored_text,
)
from briefing.errors import BriefingError
from briefing.ui.datefield import CheckedDialog, DateField, problem_label, sentence
from briefing.ui.failures import details_of, show_failure
from briefing.ui.jobs import BackgroundJob

if TYPE_CHECKING:
    from briefing.ui.sources import SourcesPanel


FILE_FILTER = "Sources (*.txt *.md *.markdown *.html *.htm *.pdf);;All files (*)"


def choose_source_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import source", "", FILE_FILTER)
    return Path(name) if name else None


def show_error(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


class SourceFactsDialog(CheckedDialog):
    """Asks for what the file does not say about itself: title, publisher, web address, date."""

    def __init__(
        self,
        parent: QWidget | None,
        file_name: str,
        extracted: Extracted,
        owners: list[SpeakerChoice] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {file_name}")
        self.setAccessibleName("Source details")
        form = QFormLayout(self)
        form.addRow(QLabel(f"Tell Briefing what <b>{file_name}</b> does not say about itself."))
        self.title = QLineEdit(extracted.title or Path(file_name).stem)
        self.title.setAccessibleName("Title")
        self.publisher = QLineEdit(extracted.publisher)
        self.publisher.setAccessibleName("Publisher")
        self.url = QLineEdit(extracted.url)
        self.url.setAccessibleName("Web address")
        self.url.setPlaceholderText("https://\u2026 where it was published (never fetched)")
        self.date = DateField(extracted.published)
        self.date.setAccessibleName("Publication date")
        self.date.setPlaceholderText("Not known; " + self.date.placeholderText())
        form.addRow("&Title:", self.title)
        form.addRow("&Publisher:", self.publisher)
        form.addRow("&Web address:", self.url)
        form.addRow("Pu&blished:", self.date)
        # Whose own document this is (their letter, statement): reports of their words are then
        # checked against it for rewording (`briefing.core.primary`).
        self.primary_for = QComboBox()
        self.primary_for.setAccessibleName("Primary document of")
        self.primary_for.setToolTip(
            "Choose a stakeholder if this is their own letter, statement or testimony: "
            "quotes of them in other sources are checked against its words"
        )
        self.primary_for.addItem("nobody (a report or other document)", None)
        for choice in owners or []:
            self.primary_for.addItem(choice.name, choice.id)
        form.addRow("P&rimary document of:", self.primary_for)
        self.problem = problem_label()
        form.addRow(self.problem)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.title.textChanged.connect(self._check)
        self.date.textChanged.connect(self._check)
        form.addRow(buttons)
        self._check()

    def _problem(self) -> str:
        if not self.title.text().strip():
            return "Give the source a title."
        if problem := self.date.problem():
            return sentence(problem)
        return ""

    def facts(self) -> dict:
        facts = {
            "title": self.title.text().strip(),
            "publisher": self.publisher.text().strip(),
            "published": self.date.day(),
            "url": self.url.text().strip(),
        }
        owner = self.primary_for.currentData()
        return facts | ({"primary_for": owner} if owner is not None else {})

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        file_name: str,
        extracted: Extracted,
        owners: list[SpeakerChoice] | None = None,
    ) -> dict | None:
        """The facts the user gave, or None if they cancelled (and nothing is imported)."""
        dialog = cls(parent, file_name, extracted, owners)
        return dialog.facts() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _needs_asking(extracted: Extracted) -> bool:
    return not (extracted.title and extracted.publisher and extracted.published)


class SourceImport(QObject):
    """Imports files one after another without freezing the window.

    Each file is read (decoded, reduced to text, a PDF page by page) in a worker thread behind a
    progress dialog with Cancel; then, on the GUI thread, the user is asked for any facts the file
    does not state; then the text is stored, again in a worker thread: for a 49 MB text the
    write (sha256, the row, the full-text index) takes seconds, too long to hold the window still
    or the store's writer. It is written in steps (`core.sources.import_in_steps`: the row, then
    a few hundred passages at a time), each a short transaction on the store runner's one writer
    (`write_from_job`), in turn with the window's other writes, so a note saved meanwhile waits
    one step, off the GUI thread, and never for SQLite's busy timeout. The source stays hidden
    until its last step commits; then `operations.changed` announces it like any other
    change. A cancelled or failed import deletes what it wrote, so it stores nothing.
    """

    finished = Signal(list)  # the ids of the sources stored

    def __init__(self, panel: SourcesPanel, paths: list[Path]) -> None:
        """`panel`: the Sources tab, which shows what was imported."""
        super().__init__(panel)
        self.panel = panel
        self.context = panel.context
        self.window = panel.context.window  # the parent of its dialogs
        self.queue = list(paths)
        self.imported: list[int] = []
        self.stopped = False
        self.job: BackgroundJob | None = None
        self.progress: QProgressDialog | None = None
        self._jobs: set[BackgroundJob] = set()
        self._path: Path | None = None
        self._label = ""

    def add(self, paths: list[Path]) -> None:
        self.queue.extend(paths)

    def start(self) -> None:
        self._next()

    def cancel(self) -> None:
        self.stopped = True
        if self.job is not None:
            self.job.cancel()

    def wait(self) -> None:
        """Cancel, and wait until no worker runs (before the window closes)."""
        self.cancel()
        for job in list(self._jobs):
            job.wait()

    def _next(self) -> None:
        if self.stopped or not self.queue:
            self._finish()
            return
        path = self.queue.pop(0)

        def read(progress, cancelled) -> Extracted:
            return read_file(path, progress=progress, cancelled=cancelled)

        self._path = path
        self._run(f"Reading {path.name}", read, self._read)

    def _read(self, extracted: Extracted) -> None:
        self._close_progress()
        if self.stopped:  # cancelled after the last page was read
            self._next()
            return
        path = self._path
        assert path is not None
        try:  # before asking for facts the user would type in vain
            self.context.runner.read_now(
                lambda session: refuse_stored_text(session, path.name, extracted.text)
            )
        except BriefingError as error:
            self._failed(str(error))
            return
        facts: dict = {}
        if _needs_asking(extracted):
            owners = self.context.runner.read_now(speaker_choices)  # whose document it may be
            asked = SourceFactsDialog.ask(self.window, path.name, extracted, owners)
            if asked is None:
                self._next()
                return
            facts = dict(asked)
        primary_for = facts.pop("primary_for", None)
        runner = self.context.runner

        marked: list[Changes] = []

        def finish(session, source_id: int) -> None:
            if primary_for is not None:
                marked.append(mark_primary(session, source_id, [primary_for]))

        def write(progress, cancelled) -> Imported:
            # In steps on the store's one writer, each its own short transaction, in turn with
            # the window's own saves: a note saved while this runs waits one step, off the GUI
            # thread, and never for SQLite's busy timeout. A cancel deletes what was written.
            done = import_in_steps(
                runner.write_from_job,
                path,
                extracted=extracted,
                progress=progress,
                cancelled=cancelled,
                finish=finish,
                **facts,
            )
            # A new source alone changes no card; marked as someone's own document, it checks
            # their quotes, so the announcement says "sources changed" and the cards are read.
            return replace(done, changes=done.changes | marked[0]) if any(marked) else done

        megabytes = len(extracted.text) / 1024 / 1024
        size = f" ({megabytes:.1f} MB of text)" if megabytes >= 1 else ""
        self._run(f"Storing {path.name}{size}", write, self._stored)

    def _stored(self, done: Imported) -> None:
        self.imported.append(done.id)
        self.context.operations.changed.emit(done.changes)
        self._next()

    def _run(self, label: str, work, then) -> None:
        self._close_progress()
        self._label = label
        dialog = self.progress = QProgressDialog(f"{label}\u2026", "Cancel", 0, 0, self.window)
        dialog.setWindowTitle("Import source")
        dialog.setAccessibleName("Import progress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # a small file is done before a dialog would show
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.canceled.connect(self.cancel)
        job = self.job = BackgroundJob(
            work,
            stopped_by=ImportCancelled,
            unexpected="the import failed unexpectedly: {error}; nothing was stored",
            parent=self,
        )
        self._jobs.add(job)
        # Bound methods of this object, never lambdas: PySide6 would run a lambda in the
        # worker's thread, while a method of an object of the GUI thread is queued to it.
        job.progressed.connect(self._progressed)
        job.succeeded.connect(then)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.start()

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)
            if self._label.startswith("Storing"):
                self.progress.setLabelText(f"{self._label}: {done * 100 // max(total, 1)}%")
            else:
                self.progress.setLabelText(f"{self._label}: page {done} of {total}")

    def _failed(self, message: str) -> None:
        self._close_progress()
        if self.job is not None and self.job.error is not None:  # a bug, not a bad file
            details = details_of(self.job.error)
            show_failure(self.window, "Cannot import this file", message, details)
        else:
            show_error(self.window, "Cannot import this file", message)
        self._next()

    def _cancelled(self) -> None:
        self.stopped = True
        self._next()

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.reset()
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None

    def _finish(self) -> None:
        self._close_progress()
        self.job = None
        for job in self._jobs:  # each has reported; its thread is at most returning
            job.wait()
            job.deleteLater()
        self._jobs.clear()
        if self.imported:
            # The list read once, here, in the background (the panel let the import's own
            # announcement pass for this); the import ends when its last source is shown.
            panel = self.panel
            panel._list.stale = False
            panel.reload(select_source=self.imported[-1], then=self._shown)
            return
        if self.stopped:
            self.context.status("Import cancelled; nothing was stored", 5000)
        self._end()

    def _shown(self) -> None:
        """The list was read and the last source imported is shown."""
        if self.queue and not self.stopped:  # files dropped while the list was read
            self._next()
            return
        self.context.navigation.tab_requested.emit(self.panel, False)
        n = len(self.imported)
        said = f"Imported {n} source{'s' if n > 1 else ''}"
        if self.stopped:
            said += "; the import was cancelled after that"
        self.context.status(said, 5000)
        self._end()

    def _end(self) -> None:
        if self.panel.importing is self:
            self.panel.importing = None
        self.finished.emit(list(self.imported))
        self.deleteLater()


def import_files(panel: SourcesPanel, paths: list[Path]) -> SourceImport:
    """Import each file as a source, in the background, asking for missing facts.

    While an import runs, more files join its queue. Its `finished` signal carries the ids of
    what was stored."""
    if panel.importing is not None:
        panel.importing.add(paths)
        return panel.importing
    importing = panel.importing = SourceImport(panel, paths)
    importing.start()
    return importing


def import_source_files(panel: SourcesPanel) -> SourceImport | None:
    path = choose_source_file(panel.context.window)
    return import_files(panel, [path]) if path is not None else None


def _importable(urls) -> list[Path]:
    return [
        Path(url.toLocalFile())
        for url in urls
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in KINDS
    ]


class _DropImporter(QObject):
    """Lets the window take files dropped anywhere on it and import them as sources."""

    def __init__(self, panel: SourcesPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls() and _importable(event.mimeData().urls()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Close and self._panel.importing is not None:
            # A worker must not outlive the window: stop it (a write in flight rolls back).
            self._panel.importing.wait()
        elif kind == QEvent.Type.Drop and event.mimeData().hasUrls():
            paths = _importable(event.mimeData().urls())
            if paths:
                event.acceptProposedAction()
                import_files(self._panel, paths)
                return True
        return False
