"""Long work (reading a 50 MB file, laying out a 50-page PDF) off the GUI thread, cancellable.

`work(progress, cancelled)` runs in a QThread: it reports `progress(done, total)` and checks
`cancelled()` between steps, raising its own "cancelled" exception to stop. The job says how it
ended with one of four signals, delivered on the GUI thread; an unexpected error is reported in
words too, so a progress dialog is never left waiting for an answer that will not come. A bug is
also logged (its type and stack, never its message: see `briefing.logs`) and kept in `error`, so
that the window can show its details (`ui.failures.report_failure`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from briefing.errors import BriefingError
from briefing.logs import log_failure, log_path

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class BackgroundJob(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        work: Work,
        *,
        stopped_by: type[Exception],
        unexpected: str,
        parent: QObject | None = None,
    ) -> None:
        """`stopped_by`: the exception `work` raises when cancelled; `unexpected`: what to say
        after a bug, with `{error}` for the error ("the export failed: {error}; no file ...")."""
        super().__init__(parent)
        self._work = work
        self._stopped_by = stopped_by
        self._unexpected = unexpected
        self._cancel = threading.Event()
        self.error: BaseException | None = None  # set when `work` failed with a bug

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._cancel.is_set)
        except self._stopped_by:
            self.cancelled.emit()
        except BriefingError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a bug: still say so rather than leave the dialog hanging
            self.error = error
            log_failure(self._unexpected.split(":")[0], error)
            said = self._unexpected.format(error=type(error).__name__)
            self.failed.emit(f"{said}. The details are in the log: {log_path()}")
        else:
            self.succeeded.emit(result)
