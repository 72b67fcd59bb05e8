"""Team-store fixtures: a fresh database per test, with an owner and member roles made on
demand, on the run's throwaway PostgreSQL cluster (`pg_cluster`, in tests/conftest.py, which says
when a missing PostgreSQL skips and when it fails).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pgcluster  # noqa: E402

_numbers = itertools.count()


def _admin(cluster):
    import psycopg

    return psycopg.connect(cluster.url(), autocommit=True)


class Team:
    """A database owned by a role `owner_N`, with member roles made on demand."""

    def __init__(self, cluster, number: int) -> None:
        self.cluster = cluster
        self.number = number
        self.database = f"team_{number}"
        self.owner = f"owner_{number}"
        with _admin(cluster) as admin:
            admin.execute(f'CREATE ROLE "{self.owner}" LOGIN')
            admin.execute(f'CREATE DATABASE "{self.database}" OWNER "{self.owner}"')

    def url(self, role: str | None = None) -> str:
        return self.cluster.url(self.database, role or self.owner)

    def role(self, name: str) -> str:
        """A login role `name_N` on the server (not yet a member)."""
        role = f"{name}_{self.number}"
        with _admin(self.cluster) as admin:
            admin.execute(f'CREATE ROLE "{role}" LOGIN')
        return role

    def with_password(self, role: str, password: str) -> str:
        """Give `role` a password and make the server ask for it (a `scram-sha-256` line for
        that role alone at the top of pg_hba.conf, then a reload); `role` back."""
        from psycopg import sql

        hba = self.cluster.data / "pg_hba.conf"
        with _admin(self.cluster) as admin:
            admin.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
            admin.execute("SELECT pg_reload_conf()")
        _wait_for_refusal(self.url(role))
        return role

    def downgrade(self, revision: str) -> None:
        """Take the schema down to `revision` as the owner maintaining it (as the migrations
        runner does on the way up: `migrations.upgrade`)."""
        from alembic import command
        from sqlalchemy import create_engine

        from briefing.store import migrations

        engine = create_engine(self.url().replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("SET LOCAL briefing.maintenance = 'on'")
                command.downgrade(migrations._config(connection), revision)
        finally:
            engine.dispose()

    def sql(self, role: str, statement: str, parameters=()):
        """Rows of a statement run directly, as `role`, outside the app."""
        import psycopg

        with psycopg.connect(self.url(role), autocommit=True) as connection:
            cursor = connection.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []


def _wait_for_refusal(url: str) -> None:
    """Until the server, reloading its pg_hba.conf, asks `url`'s role for a password."""
    import time

    import psycopg

    for _ in range(200):
        try:
            psycopg.connect(url, password="").close()  # let in: the reload is not done yet
        except psycopg.OperationalError:
            return
        time.sleep(0.05)
    raise AssertionError("the server never started asking for the password")


@pytest.fixture
def team(pg_cluster):
    return Team(pg_cluster, next(_numbers) + os.getpid() % 1000 * 1000)


@pytest.fixture
def own_cluster(pg_cluster):
    """A cluster of the test's own, for a test that stops its server."""
    cluster = pgcluster.Cluster(pgcluster.new_folder())
    cluster.start()
    yield cluster
    cluster.stop("immediate")
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def own_team(own_cluster):
    return Team(own_cluster, 1)


@pytest.fixture
def members(team, capsys):
    """A team store with the demo, set up by its owner, with members alice and bob."""
    from briefing.cli import main

    assert main(["--db", team.url(), "team", "setup"]) == 0
    assert "set up a team store" in capsys.readouterr().out
    alice, bob = team.role("alice"), team.role("bob")
    for role in (alice, bob):
        assert main(["--db", team.url(), "team", "add-member", role]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return alice, bob
