"""Encrypted against plain, 100,000 quotes: `python tests/benchmarks/bench_encryption.py`.

Builds the synthetic store (`synthetic.py`: 1,000 stakeholders, 10,000 sources, 100,000 quotes,
20,000 notes), or takes one with `--store FILE` (copied, never changed), copies it and encrypts
the copy with `briefing.store.encryption.encrypt_store` (timed). Then, on both stores open side by
side in the same run (each `Store` keeps its pool of connections, as the window does), the same
work, interleaved, `--rounds` times after one warm-up round:

- search: 12 queries through `briefing.core.search.search` (limit 50, snippets and titles);
- opening a topic: `briefing.core.cards.topic_cards` for each of the ten topics;
- export: a whole topic read with `topic_content` and written as Markdown with `export_content`.

Opening each store (`open_store`; for the encrypted one also the unlock with the passphrase:
the key derivation) is timed too and reported apart, without a check record (quick_check runs)
and with a matching one (the usual opening). Each search query is also timed on its own.
Prints each case's median time both ways and its ratio (encrypted over plain; the target is
1.5 for each), and as its last line `encryption worst ratio: X.XX`. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import main as build_synthetic  # noqa: E402

from briefing.core.briefings import topic_content  # noqa: E402
from briefing.core.cards import topic_cards  # noqa: E402
from briefing.core.search import search  # noqa: E402
from briefing.export import export_content  # noqa: E402
from briefing.store import encryption, health, open_store  # noqa: E402
from briefing.store.models import Topic  # noqa: E402

PASSPHRASE = "a benchmark passphrase of ordinary length"
QUERIES = [
    "police",
    "facial recognition",
    '"facial recognition"',
    "moratorium",
    "surv*",
    "police OR court",
    "surveillance NOT privacy",
    "racial profiling bias",
    "independent review committee",
    "export controls sanctions",
    "watchlist",
    "kalo",
]


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def drivers() -> str:
    """Both drivers' SQLite (and SQLCipher) versions. sqlcipher3-binary 0.6.0's SQLite was
    built without optimisation (-O0): the same FTS5 query took 1.8 times as long as in the
    stdlib's SQLite with no key at all, which is why pyproject.toml excludes that release."""
    from sqlcipher3 import dbapi2

    connection = dbapi2.connect(":memory:")
    try:
        (version,) = connection.execute("SELECT sqlite_version()").fetchone()
        (cipher,) = connection.execute("PRAGMA cipher_version").fetchone()
    finally:
        connection.close()
    return (
        f"drivers: plain sqlite3 {sqlite3.sqlite_version}; "
        f"encrypted SQLite {version}, SQLCipher {cipher}"
    )


def cases(store, topic_ids: list[int], out: Path) -> dict:
    def searching():
        with store.reading() as session:
            for query in QUERIES:
                search(session, query, limit=50)

    def opening_topics():
        with store.reading() as session:
            for topic_id in topic_ids:
                topic_cards(session, topic_id)

    def exporting():
        with store.reading() as session:
            content = topic_content(session, topic_ids[0])
        export_content(content, out, "md")

    return {"search": searching, "open a topic": opening_topics, "export": exporting}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a synthetic store to use (it is copied)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-encryption-"))
    plain = folder / "plain" / "store.sqlite3"
    secret = folder / "encrypted" / "store.sqlite3"
    plain.parent.mkdir()
    secret.parent.mkdir()
    if args.store:
        shutil.copyfile(args.store, plain)
    else:
        build_synthetic([str(plain)])
    shutil.copyfile(plain, secret)
    took = timed(lambda: encryption.encrypt_store(secret, PASSPHRASE))
    size = plain.stat().st_size / 1e6
    print(f"store: {size:.0f} MB; encrypting it took {took:.1f} s", flush=True)
    encryption.forget_all()

    # Opening, both ways: with no check record (quick_check reads, and for the encrypted store
    # decrypts, every page) and with a matching one (the usual opening: no check).
    opening = {(kind, record): [] for kind in ("plain", "encrypted") for record in (0, 1)}

    def open_once(kind: str, record: int) -> float:
        path = plain if kind == "plain" else secret
        if not record:
            health.forget_checked(path)
        encryption.forget_all()
        started = time.perf_counter()
        if kind == "encrypted":
            encryption.unlock(secret, PASSPHRASE)
        open_store(path).close()
        return time.perf_counter() - started

    for _ in range(3):
        for record in (0, 1):
            for kind in ("plain", "encrypted"):
                opening[(kind, record)].append(open_once(kind, record))
    encryption.unlock(secret, PASSPHRASE)

    stores = {"plain": open_store(plain), "encrypted": open_store(secret)}
    try:
        with stores["plain"].reading() as session:
            topic_ids = [topic.id for topic in session.query(Topic).order_by(Topic.id)]
        work = {
            kind: cases(store, topic_ids, folder / f"{kind}.md") for kind, store in stores.items()
        }
        times: dict[str, dict[str, list[float]]] = {
            name: {"plain": [], "encrypted": []} for name in work["plain"]
        }
        for round_number in range(args.rounds + 1):
            for name in times:
                # Alternate which goes first, so neither always finds the other's warm caches.
                order = ("plain", "encrypted") if round_number % 2 else ("encrypted", "plain")
                for kind in order:
                    spent = timed(work[kind][name])
                    if round_number:  # the first round only warms up
                        times[name][kind].append(spent)
                    print(f"  round {round_number} {name} {kind}: {spent:.2f} s", flush=True)
        # Each query on its own, interleaved the same way, for the per-query figures.
        per_query: dict[str, dict[str, list[float]]] = {
            query: {"plain": [], "encrypted": []} for query in QUERIES
        }
        for round_number in range(args.rounds):
            order = ("plain", "encrypted") if round_number % 2 else ("encrypted", "plain")
            for kind in order:
                with stores[kind].reading() as session:
                    for query in QUERIES:
                        per_query[query][kind].append(
                            timed(lambda q=query, s=session: search(s, q, limit=50))
                        )
    finally:
        for store in stores.values():
            store.close()

    print(drivers())
    for query, both in per_query.items():
        p, e = statistics.median(both["plain"]), statistics.median(both["encrypted"])
        print(
            f"  search {query!r:<32} plain {p * 1000:7.1f} ms  encrypted {e * 1000:7.1f} ms"
            f"  ratio {e / p:.2f}"
        )
    same = (folder / "plain.md").read_bytes() == (folder / "encrypted.md").read_bytes()
    print(f"the two exports are identical: {same}")
    for record, words in ((0, "no check record: quick_check"), (1, "a matching record")):
        plain_open = statistics.median(opening[("plain", record)])
        secret_open = statistics.median(opening[("encrypted", record)])
        print(
            f"open the store, {words} (encrypted: + key derivation): plain {plain_open:.2f} s, "
            f"encrypted {secret_open:.2f} s"
        )
    worst = 0.0
    for name, both in times.items():
        p, e = statistics.median(both["plain"]), statistics.median(both["encrypted"])
        ratio = e / p
        worst = max(worst, ratio)
        print(
            f"{name:<14} plain {p * 1000:8.1f} ms  encrypted {e * 1000:8.1f} ms  ratio {ratio:.2f}"
        )
    shutil.rmtree(folder, ignore_errors=True)
    print(f"encryption worst ratio: {worst:.2f}")
    return 0 if worst <= 1.5 and same else 1


if __name__ == "__main__":
    sys.exit(main())
