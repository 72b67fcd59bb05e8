"""A team store's password: from libpq's own files, the desktop keyring, or the user, in that
order; kept in memory only.

libpq reads `~/.pgpass` (or `PGPASSFILE`) and the service file by itself, so a member who keeps
the password there is never asked. When the server still asks for one, the driver says so
precisely: libpq's `PQconnectionNeedsPassword` (no password was available) or
`PQconnectionUsedPassword` with the server's "password authentication failed" (the one given was
refused). Only then does `login` look in the desktop keyring (`briefing.store.kept_secrets`, under
`role@host/db`), and then ask the caller's `ask`: the command line's `getpass` on a terminal, the
window's password dialog (`briefing.ui.team_password`).

The password goes to libpq as a connection argument of the engine (`team._engine`) and of the
change listener, never into the address, which is shown, logged and kept in settings; no message
or log line carries it. Errors about it never quote the driver's connection object, whose repr
holds the password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from briefing.errors import StoreError
from briefing.store import kept_secrets


@dataclass(frozen=True)
class Login:
    """Who connects where, as libpq resolved it (defaults, service file and all)."""

    role: str
    host: str
    database: str
    port: str = "5432"

    @property
    def shown(self) -> str:
        """`role@host`, as the password dialog and the prompt show it."""
        port = "" if self.port in ("", "5432") else f":{self.port}"
        return f"{self.role}@{self.host}{port}"

    @property
    def key(self) -> str:
        """The name the keyring keeps the password under: `role@host/db`."""
        return f"{self.shown}/{self.database}"


def how_to_give(address: str) -> str:
    return (
        "put it in ~/.pgpass (one line HOST:PORT:DATABASE:ROLE:PASSWORD, readable by you "
        "alone) or in a PostgreSQL service file, or keep it in the desktop keyring with "
        f"'briefing --db {address} team remember-password'"
    )


class PasswordNeeded(StoreError):
    """The server asks for a password that none of libpq's files gave (`refused`: the one given
    was wrong). `cancelled`: the user closed the password dialog."""

    def __init__(self, message: str, login: Login, *, refused: bool, cancelled: bool = False):
        super().__init__(message)
        self.login = login
        self.refused = refused
        self.cancelled = cancelled

    def __reduce__(self):
        # Whole across a pipe (the export's child process tells the window in one): pickle's
        # default would call __init__ with the message alone.
        return (_password_needed, (str(self), self.login, self.refused, self.cancelled))


def _password_needed(message: str, login: Login, refused: bool, cancelled: bool) -> PasswordNeeded:
    return PasswordNeeded(message, login, refused=refused, cancelled=cancelled)


def password_problem(address: str, error: BaseException) -> PasswordNeeded | None:
    """A `PasswordNeeded` when `error` (a driver error, or SQLAlchemy's wrapping one) is the
    server asking for a password or refusing the one given; None for anything else."""
    orig = getattr(error, "orig", None) or error
    pgconn = getattr(orig, "pgconn", None)
    if pgconn is None:
        return None
    try:
        needs, used = bool(pgconn.needs_password), bool(pgconn.used_password)
        login = Login(_text(pgconn.user), _text(pgconn.host), _text(pgconn.db), _text(pgconn.port))
    except Exception:  # a live connection's object, or one already gone
        return None
    refused = (
        used
        and not needs
        and (
            getattr(orig, "sqlstate", None) == "28P01"
            or "password authentication failed" in str(orig)
        )
    )
    if not (needs or refused):
        return None
    from briefing.store.team import shown

    where = shown(address)
    if refused:
        words = f"the server refused the password given for {login.shown}"
    else:
        words = f"the server asks for {login.shown}'s password and none was given"
    return PasswordNeeded(f"{words}: {how_to_give(where)}", login, refused=refused)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


def try_password(address: str, password: str | None) -> Login:
    """Connect once with `password` (None: libpq's files alone) and say who connected where;
    raises `PasswordNeeded` when the server wants a password or refuses it, `ServerLost` when
    it cannot be reached."""
    from sqlalchemy.pool import NullPool

    from briefing.store import team

    def connect(engine) -> Login:
        with engine.connect() as connection:
            info = connection.connection.dbapi_connection.info
            return Login(info.user, info.host, info.dbname, str(info.port))

    return team._guarded(address, connect, password=password, poolclass=NullPool)


Ask = Callable[[Login, str], "str | None"]


def login(address: str, ask: Ask | None, *, attempts: int = 3) -> str | None:
    """The password to open the team store at `address` with: None when libpq's own files (or
    no password at all) do; else the keyring's, else what `ask(login, why)` answers (None: the
    user gave none, and `PasswordNeeded` says how to give one). A refused password is asked
    again, `attempts` times in all."""
    try:
        try_password(address, None)
        return None
    except PasswordNeeded as needed:
        problem = needed
    kept = kept_secrets.kept(kept_secrets.TEAM_PASSWORD, problem.login.key)
    why = str(problem)
    if kept is not None:
        try:
            try_password(address, kept)
            return kept
        except PasswordNeeded as refused:
            problem = refused
            why = (
                f"the password the desktop keyring keeps for {problem.login.key} was refused "
                "(changed on the server?); type the current one"
            )
    for _attempt in range(attempts):
        if ask is None:
            break
        given = ask(problem.login, why)
        if given is None:
            raise PasswordNeeded(
                str(problem), problem.login, refused=problem.refused, cancelled=True
            )
        try:
            try_password(address, given)
            return given
        except PasswordNeeded as refused:
            problem = refused
            why = f"that password was refused for {problem.login.shown}; try again"
    raise problem


def remember(address: str, password: str) -> Login:
    """Check `password` against the server, then keep it in the desktop keyring."""
    if not kept_secrets.usable():
        raise StoreError(no_keyring())
    found = try_password(address, password)
    if not kept_secrets.keep(kept_secrets.TEAM_PASSWORD, found.key, password):
        raise StoreError(no_keyring())
    return found


def forget(address: str) -> tuple[Login, bool]:
    """Remove the password the keyring keeps for the store at `address`: the login it was kept
    for (the server says who `address` names), and whether one was kept."""
    try:
        found = try_password(address, None)
    except PasswordNeeded as needed:
        found = needed.login
    return found, kept_secrets.forget(kept_secrets.TEAM_PASSWORD, found.key)


def no_keyring() -> str:
    return (
        "no desktop keyring can keep the password here (install the 'keyring' extra, and run a "
        "keyring service such as GNOME Keyring or KWallet); use ~/.pgpass or a PostgreSQL "
        "service file instead"
    )
