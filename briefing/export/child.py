"""The export's child process (`briefing.export.process`): reads its job from standard input,
answers in pickled messages on standard output. Not meant to be run by hand."""

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
        pickle.dump(message, out)
        out.flush()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        content, load, path, fmt, key = pickle.load(sys.stdin.buffer)
        from PySide6.QtGui import QGuiApplication

        from briefing.errors import BriefingError, ExportCancelled
        from briefing.export import export_content

        _app = QGuiApplication.instance() or QGuiApplication(["briefing-export"])  # noqa: F841
        try:
            if load is not None:
                from briefing.store import encryption
                from briefing.store.database import Store

                store_path, use_case = load
                if key is not None:  # the parent's key of an encrypted store
                    encryption.remember(key)
                store = Store(Path(store_path), read_only=True)
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
