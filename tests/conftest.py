"""Shared fixtures: an isolated store per test, offscreen Qt, and no network.

The demo store is built once per test run and copied for each test that wants one (building it
runs every migration and loads the demo, which is slower than a file copy).

One suite, two databases. A module marked `pytestmark = pytest.mark.both_databases` runs each of
its tests twice, `[sqlite]` on a store file and `[postgresql]` on a team store, through one seam:
the `database` fixture, which `demo_path`, `demo_store`, `empty_path` and `empty_store` follow.
On PostgreSQL, `demo_path` is the team store's address (a member's, as `team setup` and
`team add-member` leave it) where a file's path goes, so the same `open_store(demo_path)` and
`--db str(demo_path)` serve both; `outside_sql` runs SQL on either, as another program would.
Each test gets a database of its own, copied by the server from one migrated once per run
(`CREATE DATABASE ... TEMPLATE`).
A test about files by nature (encryption, backups, permissions, the lock, SQLite's own checks,
undo's rowids) is marked `@pytest.mark.sqlite_only("why")` and runs once, on a store file.

Without PostgreSQL the `[postgresql]` tests are skipped on a developer's machine; in CI (`CI`
set, where `.ci/run` installs PostgreSQL) its absence is a failure, never a silent skip.
`.ci/run` starts the cluster itself and passes its folder in BRIEFING_TEST_PG_DIR; else the
`pg_cluster` fixture starts one (`tests/pgcluster.py`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

# Before any Qt import: tests need no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

from briefing.core.demo import load_demo  # noqa: E402
from briefing.store import open_store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgcluster  # noqa: E402

# Property tests explore new examples on a developer's machine; CI replays a fixed set, so a
# submission's result does not depend on luck, and never fails on a busy machine's slowness.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test in which the app tries to reach another machine (or this one over IP)."""

    def refuse(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkUsed(f"the app tried to connect to {address!r}")
        return original_connect(self, address, *args, **kwargs)

    original_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture(autouse=True)
def own_log_folder(monkeypatch, tmp_path_factory):
    """The app's log goes to a folder of the test's, never the user's."""
    monkeypatch.setenv("BRIEFING_LOG_DIR", str(tmp_path_factory.mktemp("log")))


DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_databases: run each test on a store file and on a team store"
    )
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about store files by nature; runs on SQLite alone"
    )


def pytest_generate_tests(metafunc):
    only = metafunc.definition.get_closest_marker("sqlite_only")
    if only is not None and not (only.args or only.kwargs.get("reason")):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a reason")
    if (
        only is None
        and "database" in metafunc.fixturenames
        and metafunc.definition.get_closest_marker("both_databases") is not None
    ):
        metafunc.parametrize("database", DATABASES, indirect=True)


@pytest.fixture
def database(request) -> str:
    """Which database the test's stores are on: "sqlite" unless its module runs on both."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_cluster():
    if pgcluster.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (.ci/run installs it)")
        pytest.skip("needs PostgreSQL's initdb (.ci/run installs it)")
    given = os.environ.get("BRIEFING_TEST_PG_DIR")
    cluster = pgcluster.Cluster(Path(given) if given else pgcluster.new_folder())
    started = not cluster.running()
    if started:
        cluster.start()
    yield cluster
    if started:
        cluster.stop()
        if not given:
            shutil.rmtree(cluster.folder, ignore_errors=True)


class TeamStores:
    """Team stores for the `[postgresql]` tests: two databases migrated once per run (the demo,
    and an empty store), set up by an owner role with a member role added, as a team's owner
    leaves them, the demo then loaded by the member (whose private notes its notes are); each
    test gets its own copy, made by the server (some 30 ms), and works as the member."""

    OWNER = "briefing_owner"
    MEMBER = "briefing_member"

    def __init__(self, cluster) -> None:
        import psycopg

        from briefing.store import team

        self.cluster = cluster
        self.prefix = f"t{os.getpid()}"
        self._numbers = itertools.count()
        # One superuser connection for the run's CREATE and DROP DATABASE statements.
        self.admin = psycopg.connect(cluster.url(), autocommit=True)
        for role in (self.OWNER, self.MEMBER):
            if self.admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                continue
            self.admin.execute(f'CREATE ROLE "{role}" LOGIN')
        self.templates = {}
        for name, seed in (("demo", load_demo), ("empty", None)):
            template = f"{self.prefix}_{name}"
            self.admin.execute(f'DROP DATABASE IF EXISTS "{template}"')
            self.admin.execute(f'CREATE DATABASE "{template}" OWNER "{self.OWNER}"')
            owner = cluster.url(template, self.OWNER)
            team.setup(owner)
            team.add_member(owner, self.MEMBER)
            if seed is not None:  # written by the member, who then owns its private notes
                member = open_store(cluster.url(template, self.MEMBER))
                with member, member.writing() as session:
                    seed(session)
            self.templates[name] = template

    def new(self, kind: str) -> str:
        """A fresh database copied from the `kind` template; its address as the member."""
        database = f"{self.prefix}_{next(self._numbers)}"
        # FILE_COPY: a copy of the template's files, quicker than WAL_LOG's page by page.
        self.admin.execute(
            f'CREATE DATABASE "{database}" TEMPLATE "{self.templates[kind]}" '
            f'OWNER "{self.OWNER}" STRATEGY FILE_COPY'
        )
        return self.cluster.url(database, self.MEMBER)

    def drop(self, address: str) -> None:
        database = address.split("@/", 1)[1].split("?", 1)[0]
        self.admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def close(self) -> None:
        for template in self.templates.values():
            self.admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def team_stores(pg_cluster):
    stores = TeamStores(pg_cluster)
    yield stores
    stores.close()


def _team_store_address(request, kind: str):
    stores = request.getfixturevalue("team_stores")
    address = stores.new(kind)
    request.addfinalizer(lambda: stores.drop(address))
    return address


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    open_store(path, seed=load_demo).close()
    return path


@pytest.fixture
def demo_path(database, request, tmp_path) -> Path | str:
    """The demo store's locator: a file's path on SQLite, a team store's address on PostgreSQL
    (both go to `open_store` and `--db` as they are)."""
    if database == "postgresql":
        return _team_store_address(request, "demo")
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(request.getfixturevalue("demo_template"), path)
    return path


@pytest.fixture
def demo_store(demo_path):
    with open_store(demo_path) as store:
        yield store


@pytest.fixture
def empty_path(database, request, tmp_path) -> Path | str:
    """An empty store's locator (no records, the current schema); on SQLite, where nothing is
    yet: `open_store` makes it."""
    if database == "postgresql":
        return _team_store_address(request, "empty")
    return tmp_path / "empty.sqlite3"


@pytest.fixture
def empty_store(empty_path):
    with open_store(empty_path) as store:
        yield store


@contextlib.contextmanager
def _outside(locator):
    """`run(statement, parameters)` on one connection to the store, made outside the app."""
    if isinstance(locator, str) and locator.startswith("postgresql:"):
        import psycopg

        with psycopg.connect(locator, autocommit=True) as connection:

            def run(statement: str, parameters=()) -> list[tuple]:
                statement = statement.replace("%", "%%").replace("?", "%s")
                cursor = connection.execute(statement, parameters)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

            yield run
        return
    import sqlite3

    connection = sqlite3.connect(locator)
    try:

        def run(statement: str, parameters=()) -> list[tuple]:
            with connection:  # commits a change
                return connection.execute(statement, parameters).fetchall()

        yield run
    finally:
        connection.close()


@pytest.fixture
def outside_sql():
    """`outside_sql(locator, statement, parameters)`: a plain SQL statement (placeholders `?`)
    run straight on a store file or a team store (as its member), outside the app, as another
    program would; its rows."""

    def run(locator, statement: str, parameters=()) -> list[tuple]:
        with _outside(locator) as outside:
            return outside(statement, parameters)

    return run


@pytest.fixture
def store_rows():
    """`store_rows(locator)`: every row of every table of the store, read outside the app,
    by primary key: what "the store is unchanged" compares on either database."""
    from briefing.store.models import Base

    def rows(locator) -> dict[str, list[tuple]]:
        with _outside(locator) as outside:
            return {
                name: outside(
                    f"SELECT * FROM {name} ORDER BY "
                    + ", ".join(column.name for column in table.primary_key.columns)
                )
                for name, table in sorted(Base.metadata.tables.items())
            }

    return rows


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """Environment for child processes: no display, a private home, no BRIEFING_DB."""
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("BRIEFING_DB", None)
    env["HOME"] = str(tmp_path / "home")
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "home" / "config")
    return env


def file_state(path: Path) -> tuple[bytes, list[str]]:
    """A file's bytes and the names beside it, to prove that nothing was touched."""
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def snapshot():
    return file_state


@pytest.fixture
def memory_keyring():
    """A desktop keyring that keeps what it is given in a dict (`tests/keyrings.py`)."""
    import keyring
    from keyrings import MemoryKeyring

    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring():
    """No desktop keyring that can keep anything (keyring's own "fail" backend)."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def open_window(qtbot, tmp_path):
    """Open the app's window on `store`, shown and exposed: `open_window(store, settings=None,
    size=(1500, 950))`. Settings are the test's own file unless given (`name` picks another
    file, for two windows side by side)."""

    def opened(store, settings=None, *, name: str = "settings", size=(1500, 950)):
        from PySide6.QtCore import QSettings

        from briefing.ui.main_window import MainWindow

        if settings is None:
            settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        return window

    return opened
