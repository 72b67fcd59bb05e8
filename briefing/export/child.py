"""The export's child process (`briefing.export.process`): loads what an export needs, says it
is ready, then reads one job from standard input and answers in pickled messages on standard
output. Not meant to be run by hand.

It pays for importing Python, Qt and the app (4-6 s on a busy machine) before any job is given,
so that a child started ahead of time (`process.warm`) has that behind it when the user clicks
Export. An encrypted store's key arrives with the job, on standard input, never earlier. A child
whose standard input closes before a job comes (the window quit) exits without a word.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from pathlib import Path


def main() -> int:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but messages on the real standard output
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))

    def say(*message) -> None:
        try:
            pickle.dump(message, out)
            out.flush()
        except BrokenPipeError:
            os._exit(0)  # no one listens any more (the window let this child go): nothing to do

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        # Everything a job needs, loaded before it is asked for (see the docstring).
        from PySide6.QtGui import QGuiApplication

        import briefing.core.briefings  # noqa: F401 - what the jobs' use cases unpickle into
        import briefing.export.pdf  # noqa: F401 - Qt's text layout and the PDF writer
        from briefing.errors import BriefingError, ExportCancelled
        from briefing.export import export_content
        from briefing.store import encryption
        from briefing.store.database import open_to_read

        _app = QGuiApplication.instance() or QGuiApplication(["briefing-export"])  # noqa: F841
        say("ready")
        try:
            job = pickle.load(sys.stdin.buffer)
        except EOFError:
            return 0  # never given a job: the window closed first
        content, load, path, fmt, key, password = job
        say("progress", 0, 0)  # under way: the window's progress shows it at once
        try:
            if load is not None:
                store_path, use_case = load
                if key is not None:  # the parent's key of an encrypted store
                    encryption.remember(key)
                store = open_to_read(store_path, password)
                try:
                    with store.reading() as session:
                        content = use_case(session)
                finally:
                    store.close()
            if stop:
                raise ExportCancelled("the export was cancelled; no file was written")
            export_content(
                content,
                Path(path),
                fmt,
                progress=lambda done, total: say("progress", done, total),
                cancelled=lambda: bool(stop),
            )
        except BriefingError as error:
            say("refused", error)
            return 0
        say("done", path)
    except BaseException as error:  # noqa: BLE001 - every bug reaches the window, in words
        say("bug", type(error).__name__, traceback.format_exc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
