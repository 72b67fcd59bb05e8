"""Shared fixtures: an isolated store per test, offscreen Qt, and no network.

The demo store is built once per test run and copied for each test that wants one (building it
runs every migration and loads the demo, which is slower than a file copy).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

# Before any Qt import: tests need no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

from briefing.core.demo import load_demo  # noqa: E402
from briefing.store import open_store  # noqa: E402

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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    open_store(path, seed=load_demo).close()
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo_store(demo_path):
    with open_store(demo_path) as store:
        yield store


@pytest.fixture
def empty_store(tmp_path):
    with open_store(tmp_path / "empty.sqlite3") as store:
        yield store


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
