"""What the store's safety costs: `python tests/benchmarks/bench_store_safety.py STORE.db`.

On a copy of STORE (build one with `tests/benchmarks/synthetic.py`), best of three each:

- opening: the app's `open_store` (header, quick_check, the checks of `store.health`) against a
  bare SQLite open that reads the schema version (the baseline), three ways: a file changed
  since its last check (quick_check runs), a file unchanged since (its check record matches,
  quick_check is skipped), and a command after a command that wrote (`note add`, then `info`);
- a -wal beside the store when it opens (after a crash): the copy-and-check of the -wal;
- `take_backup` (backup API, integrity_check of the copy, fsync, rename) against a plain file
  copy of the same store (the baseline);
- `briefing check` (`core.check.check_store`) against SQLite's `integrity_check` alone.

Prints each case's time and its ratio to its baseline, the ratios last. Not collected by pytest.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from briefing.cli import main as cli
from briefing.core.check import check_store
from briefing.store import health, open_store
from briefing.store.backups import backup_folder, take_backup


def best(run, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_open(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("SELECT version_num FROM alembic_version").fetchone()
    connection.close()


def leave_wal(path: Path) -> None:
    code = textwrap.dedent(f"""
        import os, signal, sqlite3
        c = sqlite3.connect({str(path)!r})
        c.execute("PRAGMA wal_autocheckpoint = 0")
        c.execute("UPDATE topics SET description = description || ' '")
        c.commit()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", code], check=False)


def main() -> None:
    source = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        path = Path(scratch) / "store.sqlite3"
        shutil.copyfile(source, path)
        size = path.stat().st_size / 1e6
        print(f"store: {size:.0f} MB")
        results = {}

        bare = best(lambda: bare_open(path))

        def open_changed() -> None:
            health.forget_checked(path)  # as after a change the record does not match
            open_store(path).close()

        results["open, changed since its check"] = (best(open_changed), bare)
        open_store(path).close()  # checked: the record matches from here on
        results["open, unchanged since its check"] = (best(lambda: open_store(path).close()), bare)

        def command_after_a_write() -> float:
            cli(["--db", str(path), "note", "add", "--on", "topic:1", "A note"])
            start = time.perf_counter()
            open_store(path).close()
            return time.perf_counter() - start

        after_write = min(command_after_a_write() for _ in range(3))
        results["open after a command that wrote"] = (after_write, bare)

        def open_after_crash() -> float:
            leave_wal(path)
            start = time.perf_counter()
            open_store(path).close()
            return time.perf_counter() - start

        crash = min(open_after_crash() for _ in range(3))
        results["open with a -wal left by a crash"] = (crash, bare)

        copy = Path(scratch) / "plain-copy.sqlite3"
        plain = best(lambda: shutil.copyfile(path, copy))

        def backup() -> None:
            take_backup(path, "manual")

        results["backup"] = (best(backup), plain)
        shutil.rmtree(backup_folder(path))

        def integrity() -> None:
            connection = sqlite3.connect(path)
            connection.execute("PRAGMA integrity_check").fetchall()
            connection.close()

        results["check"] = (best(lambda: check_store(path), rounds=1), best(integrity, rounds=1))

        for name, (measured, baseline) in results.items():
            print(f"{name:<34} {measured * 1000:9.1f} ms   baseline {baseline * 1000:9.1f} ms")
        for name, (measured, baseline) in results.items():
            print(f"{name} ratio: {measured / baseline:.2f}")


if __name__ == "__main__":
    main()
