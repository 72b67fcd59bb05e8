"""Errors the app reports to the user in words, from any layer (no Qt here).

The command line prints `str(error)` and exits with `error.exit_code`; the GUI shows it in a
dialog. Anything else that escapes is a bug.
"""


class BriefingError(Exception):
    """A problem the user can act on, with a message that says what it is."""

    exit_code = 1


class StoreError(BriefingError):
    """The store file cannot be used as it is. The file is left untouched."""

    exit_code = 3


class StoreUnreachable(StoreError):
    """The store's server cannot be reached (a team store's: stopped, restarted, the network
    gone). Nothing was changed; the same change can be made again once it is back."""


class NotABriefingStore(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class InputError(BriefingError):
    """Bad input from the user: a wrong value, an unknown name. Nothing was changed."""

    exit_code = 2


class NotFound(InputError):
    pass


class SimilarName(InputError):
    """A new name looks like an existing one (a spoof or a slip): it needs the user's say-so."""


class StaleRecord(BriefingError):
    """A record being saved was changed (or deleted) elsewhere since the editor loaded it, so
    nothing was written: a stale editor never overwrites (see `briefing.core.versions`).

    `current` is a plain snapshot of the record as it is now (a dict of its fields; None when it
    was deleted) and `version` its version now, which the editor passes back to overwrite
    knowingly, after the user has seen what changed."""

    def __init__(self, message: str, *, current: dict | None = None, version=None) -> None:
        super().__init__(message)
        self.current = current
        self.version = version


class NoteChangedElsewhere(StaleRecord):
    """A note being saved was changed elsewhere since it was loaded; nothing was written."""


class ExportError(BriefingError):
    """An export could not be written (a full disk, a folder that cannot be written to).

    No file is left behind: exports are written under a temporary name and renamed."""


class ExportCancelled(BriefingError):
    """The user cancelled an export; no file was written."""


class StoreDamaged(StoreError):
    """The store file is damaged: it is not opened and nothing is written to it.

    `kept_aside` is the copy kept under a dated name, `backup` the latest good backup (or None);
    the message says both in words."""

    def __init__(self, message: str, *, kept_aside=None, backup=None) -> None:
        super().__init__(message)
        self.kept_aside = kept_aside
        self.backup = backup


def is_unreadable_store(error: BaseException) -> bool:
    """A read error of the store itself (a damaged file), whose message may quote a record."""
    from sqlalchemy.exc import DatabaseError

    from briefing.store.encryption import errors

    return isinstance(error, (*errors("DatabaseError"), DatabaseError, UnicodeDecodeError))


def unreadable_store_message(error: BaseException) -> str:
    """A read error of a damaged store, in words that hold no record text.

    SQLite's own message can quote the record it failed on ("Could not decode to UTF-8 column
    'body' with text '...'"), which may be a private note: only the error's kind is named."""
    kind = type(getattr(error, "orig", None) or error).__name__
    return (
        f"the store could not be read ({kind}: it may be damaged); nothing was changed. "
        "'briefing check' says what is wrong, 'briefing backups' lists backups to restore"
    )
