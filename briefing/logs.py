"""The app's log: a small rotating file in the user's log folder, for failures nobody expected.

What goes in: where a failure happened, the kind of error and the stack of code it passed through.
What never goes in: the error's message and any record text. Messages of database errors carry the
statement's parameters (a note being saved), and messages of other errors may quote a name or a
passage; an advocate's store is private, and a log file is easy to hand over without thinking. So
every exception is logged as its type and its frames, with the message withheld (the window still
shows the whole message to the user, who owns it).

`BRIEFING_LOG_DIR` chooses another folder (the tests point it at a temporary one).
"""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from briefing.paths import APP_NAME

LOG_ENV = "BRIEFING_LOG_DIR"
LOG_FILENAME = "briefing.log"
MAX_BYTES = 1_000_000
KEEP_FILES = 3  # briefing.log and three older ones: at most 4 MB of log

logger = logging.getLogger("briefing")


def log_dir() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV]).expanduser()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_FILENAME


def setup_logging() -> Path | None:
    """Send the app's log records to the rotating file; once per process. Returns the file, or
    None when the folder cannot be written (the app then runs without a log, never fails for it)."""
    path = log_path()
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            logger.removeHandler(handler)  # the folder was changed (tests do): follow it
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=KEEP_FILES, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # nothing of ours reaches stderr through the root logger
    return path


def describe(error: BaseException) -> str:
    """The error's kind and the code it went through, outermost cause first, without any message:
    what a developer needs to find a bug, and nothing of the user's."""
    parts: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in reversed(chain):
        if parts:
            parts.append("During the handling of the error above, another happened:")
        parts.append("Traceback (most recent call last):")
        parts.extend(
            line.rstrip("\n")
            for line in traceback.StackSummary.extract(
                traceback.walk_tb(link.__traceback__), capture_locals=False, lookup_lines=True
            ).format()
        )
        kind = type(link)
        parts.append(f"{kind.__module__}.{kind.__qualname__} (message withheld from the log)")
    return "\n".join(parts)


def log_failure(where: str, error: BaseException) -> None:
    """Record an unexpected failure: `where` says what the app was doing, in a few words."""
    logger.error("%s failed\n%s", where, describe(error))
