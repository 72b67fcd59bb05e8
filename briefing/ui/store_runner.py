"""The window's one way to do store work: reads on a small pool, writes on one writer thread.

In the spirit of Anki's `QueryOp` / `CollectionOp` (`qt/aqt/operations/__init__.py`,
`qt/aqt/taskman.py`), written for a SQLite store with many readers and one writer:

- `query(work, success=...)` runs `work(session)` in a read-only session on one of two reader
  threads and hands its result to `success` on the GUI thread. A `key` names what the result is
  for ("cards", "detail"): when a newer query with the same key was started meanwhile, the older
  result is dropped, so a quick switch between topics never paints the topic left behind.
- `write(work, success=...)` runs `work(session)` in one transaction on the writer thread; after
  the commit `announce` (the window's `Operations.changed`) says what changed on the GUI thread,
  then `success` gets the result.
- `call(work)` is the same write for code that needs its answer before it goes on (a form that
  shows a refusal in place, an undo that moves the stack): it waits for the writer, painting and
  running timers meanwhile but holding back the user's input, so that nothing is started twice.
- `job(work, ...)` runs long work (an import, the undo of an import, an export) with progress and
  cancel, on the writer when it writes (`writes=True`) or on a reader when it only reads.

Every write of the app goes through the one writer, so the app never waits on itself for
SQLite's write lock: "another program is using the store" then means another program. Results are
plain records (the `core` functions return dataclasses); nothing handed back holds a session.

A failure goes to `failure` when given. Otherwise a `BriefingError` (words for the user: a
refusal, a missing record) is shown as a warning, and anything else is a bug: logged and shown
with its traceback (`ui.failures.report_failure`), never dropped.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from briefing.core.changes import Changes
from briefing.errors import BriefingError
from briefing.store import Store

if TYPE_CHECKING:
    from briefing.store.database import Work

T = TypeVar("T")
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
JobWork = Callable[[Progress, Cancelled], T]

READERS = 2
WAIT_QUIETLY_S = 0.01  # a `call` or `read_now` shorter than this does not spin the event loop
_showing = 0  # how many show events are being handled now (`while_showing`)


@contextlib.contextmanager
def while_showing():
    """A widget's show event is being handled: a wait in it blocks plainly, running no events.
    Qt shows a window's children by walking their list; events run in the middle of that walk
    (a deferred delete, a widget made) can change the list under it, and a window opened on the
    Sources tab crashed so. A panel's refresh on show is a bounded read (`read_now`'s rule)."""
    global _showing
    _showing += 1
    try:
        yield
    finally:
        _showing -= 1


def changes_of(result: Any) -> Changes | None:
    """What a write changed: its result if that is a `Changes`, else its `changes`."""
    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A refusal in words (a `BriefingError` nobody handled). Tests replace this."""
    QMessageBox.warning(parent, title, text)


class StoreRunner(QObject):
    """Runs store work off the GUI thread and brings its outcome back to it."""

    _pending = Signal()
    busy_changed = Signal(bool)  # True while any work is queued or running

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        *,
        announce: Callable[[Changes], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.announce = announce
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="briefing-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="briefing-write")
        self._writer_thread: list[threading.Thread] = []
        self._closures: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}
        self._numbers = itertools.count(1)
        self._in_flight = 0
        self._closed = False
        self._pending.connect(self._run_pending, Qt.ConnectionType.QueuedConnection)

    # -- reads --------------------------------------------------------------------------------

    def query(
        self,
        work: Work[T],
        *,
        success: Callable[[T], Any],
        failure: Callable[[BaseException], Any] | None = None,
        what: str = "reading the store",
        key: str | None = None,
    ) -> Future:
        """Read in the background; `success(result)` on the GUI thread unless superseded."""
        number = self._stamp(key)

        def read() -> T:
            with self.store.reading() as session:
                return work(session)

        return self._submit(self._readers, read, success, failure, what, key, number)

    # -- writes -------------------------------------------------------------------------------

    def write(
        self,
        work: Work[T],
        *,
        success: Callable[[T], Any] | None = None,
        failure: Callable[[BaseException], Any] | None = None,
        what: str = "saving a change",
    ) -> Future:
        """One transaction on the writer; announce what it changed, then `success(result)`."""

        def change() -> T:
            with self.store.writing() as session:
                return work(session)

        def done(result: T) -> None:
            self._announce(result)
            if success is not None:
                success(result)

        return self._submit(self._writer, change, done, failure, what, None, 0)

    def call(self, work: Work[T], *, what: str = "saving a change") -> T:
        """A write whose result the caller needs now: one transaction on the writer, waited for.

        Raises what `work` raised; announces what it changed before returning. While the writer
        is busy with earlier work (a long import), the window keeps painting and its timers run,
        but the user's clicks and keys wait until this returns.
        """

        def change() -> T:
            with self.store.writing() as session:
                return work(session)

        future = self.on_writer(change)
        try:
            result = self.wait(future)
        finally:
            self._run_pending()  # earlier writes are told first, in the order they committed
        self._announce(result)
        return result

    def write_from_job(self, work: Work[T]) -> T:
        """One transaction on the writer, from a background job's own thread, which waits for
        its turn (never from the GUI thread: use `write` or `call`). Announces nothing: the
        job's handler on the GUI thread does, once it has its result."""
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("write_from_job is for background threads")

        def change() -> T:
            with self.store.writing() as session:
                return work(session)

        return self.on_writer(change).result()

    def read_now(self, work: Work[T]) -> T:
        """A read whose result the caller needs now (a form filling its fields): run on a reader
        and waited for like `call`, so the user's clicks and keys wait until it returns.

        The rule: `read_now` only for a read that is bounded and tiny whatever the store holds
        (one record and its version, a list of names for a chooser, a card with a few quotes),
        a few milliseconds on the 100,000-quote store. A read that grows with the store's
        quotes or sources' text (a card's details with many quotes, a source's facts, a
        search) goes through `query`: the view shows "Loading…" at once, takes no edits
        meanwhile, and is filled by `success` (see `MainWindow._show_detail`)."""

        def read() -> T:
            with self.store.reading() as session:
                return work(session)

        return self.wait(self._readers.submit(read))

    # -- long work ----------------------------------------------------------------------------

    def job(
        self,
        work: JobWork[T],
        *,
        success: Callable[[T], Any],
        failure: Callable[[BaseException], Any] | None = None,
        progress: Callable[[int, int], Any] | None = None,
        writes: bool = False,
        what: str = "working in the background",
    ) -> RunningJob:
        """Long work with progress and cancel. `writes`: it opens its own write transactions
        (an import), so it runs on the writer, in turn with every other write."""
        running = RunningJob(self, progress)

        def run() -> T:
            return work(running.report, running.cancel_event.is_set)

        executor = self._writer if writes else self._readers
        running.future = self._submit(executor, run, success, failure, what, None, 0)
        return running

    # -- waiting and closing ------------------------------------------------------------------

    def wait(self, future: Future) -> Any:
        """The result of `future`, waited for without freezing the window's painting."""
        if threading.current_thread() is not threading.main_thread() or _showing:
            return future.result()  # a worker paints nothing; a show must not run events
        try:
            return future.result(timeout=WAIT_QUIETLY_S)
        except TimeoutError:
            pass
        if QApplication.instance() is not None:
            loop = QEventLoop()
            future.add_done_callback(lambda _f: self.run_on_main(loop.quit))
            timer = QTimer()  # a safety net should the quit be lost
            timer.timeout.connect(lambda: loop.quit() if future.done() else None)
            timer.start(50)
            while not future.done():
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            timer.stop()
        return future.result()

    def finish(self, future: Future) -> None:
        """Wait for `future` and hand its outcome to its handlers now."""
        with contextlib.suppress(BaseException):  # its failure handler hears of it below
            self.wait(future)
        self._run_pending()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until no work is queued or running and every outcome was delivered (tests, the
        window's close). False on time-out."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            self._run_pending()
            with self._lock:
                idle = self._in_flight == 0 and not self._closures
            if idle:
                return True
            if time.monotonic() > deadline:
                return False
            app = QApplication.instance()
            if app is not None:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.002)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._in_flight > 0

    def close(self) -> None:
        """Finish what is queued, then stop the threads (the window closes)."""
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self._run_pending()

    def run_on_main(self, closure: Callable[[], None]) -> None:
        """Run `closure` on the GUI thread, soon (from any thread)."""
        with self._lock:
            self._closures.append(closure)
        self._pending.emit()

    # -- inside -------------------------------------------------------------------------------

    def _stamp(self, key: str | None) -> int:
        number = next(self._numbers)
        if key is not None:
            self._latest[key] = number
        return number

    def on_writer(self, fn: Callable[[], T]) -> Future:
        """Run `fn` on the writer, in turn with every other write (from any thread: a background
        job's write waits here, in its own thread, for its turn)."""
        if self._is_writer_thread():
            # Work already on the writer (a job's step) writes in place: waiting for its own
            # queue would wait for ever.
            future: Future = Future()
            try:
                future.set_result(fn())
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits
                future.set_exception(error)
            return future
        return self._writer.submit(self._remember_writer(fn))

    def _remember_writer(self, fn: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            if not self._writer_thread:
                self._writer_thread.append(threading.current_thread())
            return fn()

        return run

    def _is_writer_thread(self) -> bool:
        return bool(self._writer_thread) and self._writer_thread[0] is threading.current_thread()

    def _submit(self, executor, fn, success, failure, what, key, number) -> Future:
        with self._lock:
            self._in_flight += 1
            first = self._in_flight == 1
        if first:
            self.busy_changed.emit(True)
        if executor is self._writer:
            fn = self._remember_writer(fn)
        future = executor.submit(fn)
        future.add_done_callback(
            lambda f: self.run_on_main(
                lambda: self._deliver(f, success, failure, what, key, number)
            )
        )
        return future

    def _deliver(self, future: Future, success, failure, what: str, key, number: int) -> None:
        try:
            if key is not None and self._latest.get(key) != number:
                return  # a newer query for the same view was started: this one is stale
            error = future.exception()
            if error is None:
                if success is not None:
                    success(future.result())
            elif failure is not None:
                failure(error)
            else:
                self.report(error, what)
        finally:
            with self._lock:
                self._in_flight -= 1
                idle = self._in_flight == 0
            if idle:
                self.busy_changed.emit(False)

    def report(self, error: BaseException, what: str) -> None:
        """Tell the user about a failure nobody handled: words for a refusal, details for a bug."""
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        if isinstance(error, BriefingError):
            warn(parent, what[:1].upper() + what[1:], f"{str(error)[:1].upper()}{str(error)[1:]}.")
            return
        from briefing.ui.failures import report_failure

        report_failure(
            parent,
            "Something went wrong",
            f"Briefing hit an unexpected error ({type(error).__name__}) while {what}. What you "
            "had saved is safe in the store; the action that failed may not have finished.",
            error,
        )

    def _announce(self, result: Any) -> None:
        changes = changes_of(result)
        if changes and self.announce is not None:
            self.announce(changes)

    @Slot()
    def _run_pending(self) -> None:
        while True:
            with self._lock:
                if not self._closures:
                    return
                closure = self._closures.popleft()
            try:
                closure()
            except Exception as error:  # noqa: BLE001 - a bug in a success handler
                self.report(error, "showing the result of store work")


class RunningJob(QObject):
    """A `StoreRunner.job` under way: its progress comes to the GUI thread; `cancel()` asks the
    work to stop at its next check."""

    def __init__(self, runner: StoreRunner, progress: Callable[[int, int], Any] | None) -> None:
        super().__init__(runner)
        self.runner = runner
        self.cancel_event = threading.Event()
        self.future: Future | None = None
        self._progress = progress
        self._last: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def report(self, done: int, total: int) -> None:
        """Called by the work, on its thread: the latest figures reach the GUI thread once."""
        with self._lock:
            queued = self._last is not None
            self._last = (done, total)
        if not queued and self._progress is not None:
            self.runner.run_on_main(self._show)

    def _show(self) -> None:
        with self._lock:
            last, self._last = self._last, None
        if last is not None and self._progress is not None:
            self._progress(*last)

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def done(self) -> bool:
        return self.future is not None and self.future.done()
