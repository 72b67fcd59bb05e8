"""A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, a server that
listens on a Unix socket only (`listen_addresses = ''`: no TCP port, nothing reachable from
another machine), and a clean stop.

initdb and postgres refuse to run as root. Run as root (as CI does), the cluster belongs to the
unprivileged `postgres` user (Debian's package makes it; it is created if missing) and its
commands run through `runuser`; the socket folder is left open to everyone so the tests'
connections, as root, reach it. Every role connects with `trust` over the socket: the cluster
lives for one test run and holds nothing.

Used by the tests' fixture (tests/team/conftest.py) and, as a script, by `.ci/run`:

    python tests/pgcluster.py start DIR   # prints the socket folder
    python tests/pgcluster.py stop DIR
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "postgres"


def _searched() -> list[str]:
    # Debian keeps each major version's programs apart, newest first; then the usual places.
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda found: int(found.parent.name) if found.parent.name.isdigit() else 0,
        reverse=True,
    )
    return [str(found) for found in versions] + ["/usr/local/bin", "/usr/bin"]


def binaries() -> Path | None:
    """The folder holding initdb and postgres, or None when PostgreSQL is not installed."""
    for folder in _searched():
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SUPERUSER, "--", *command]


def _ensure_user() -> None:
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", "-u", SUPERUSER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", SUPERUSER], check=True)


class Cluster:
    """One cluster in `folder` (data in `data/`, the socket in `socket/`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.socket = self.folder / "socket"
        self.bin = binaries()

    def url(self, database: str = "postgres", role: str = SUPERUSER) -> str:
        return f"postgresql://{role}@/{database}?host={self.socket}"

    def start(self) -> None:
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (initdb not found)")
        _ensure_user()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket.mkdir(exist_ok=True)
        os.chmod(self.folder, 0o755)
        os.chmod(self.socket, 0o777)
        if os.geteuid() == 0:
            shutil.chown(self.folder, SUPERUSER)
            shutil.chown(self.socket, SUPERUSER)
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                _as_owner(
                    [
                        str(self.bin / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        SUPERUSER,
                        "--auth=trust",
                        "--encoding=UTF8",
                        "--locale=C.UTF-8",
                        "--no-sync",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket}' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        subprocess.run(
            _as_owner(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.folder / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        if self.bin is None or not (self.data / "postmaster.pid").exists():
            return
        subprocess.run(
            _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            capture_output=True,
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def new_folder() -> Path:
    # Not under pytest's tmp_path: its parents are private to root, and the server's user must
    # reach its own folder.
    return Path(tempfile.mkdtemp(prefix="briefing-pg-"))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: pgcluster.py start|stop DIR", file=sys.stderr)
        return 2
    cluster = Cluster(Path(argv[1]))
    if argv[0] == "start":
        cluster.start()
        print(cluster.socket)
    else:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
