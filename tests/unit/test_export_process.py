"""The export's child process kept warm: an export takes the spare child that waits, a new spare
follows, a dead spare is replaced, and letting go closes it. An encrypted store's key still
reaches the child only with its job."""

from __future__ import annotations

import functools
import signal

import pytest

from briefing.core.briefings import topic_content
from briefing.core.demo import load_demo
from briefing.export import process
from briefing.store import encryption, open_store
from briefing.store.models import Topic

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def spare():
    """The warm-child machinery, let go after the test whatever happened."""
    yield process
    process.shut_down()


def _demo(path, **kwargs) -> int:
    with open_store(path, seed=load_demo, **kwargs) as store, store.reading() as session:
        return session.query(Topic.id).order_by(Topic.id).first()[0]


def _first_topic(locator) -> int:
    with open_store(locator) as store, store.reading() as session:
        return session.query(Topic.id).order_by(Topic.id).first()[0]


@pytest.mark.both_databases  # the child opens the store itself: a file, or a team store
def test_an_export_takes_the_waiting_child_and_a_new_one_waits_after(demo_path, tmp_path, spare):
    topic_id = _first_topic(demo_path)
    spare.warm()
    waiting = spare._spare
    assert waiting is not None and waiting.poll() is None
    use_case = functools.partial(topic_content, topic_id=topic_id, include_private=False)
    out = spare.export_in_child(None, tmp_path / "t.md", "md", load=(demo_path, use_case))
    assert "Microsoft" in out.read_text(encoding="utf-8")
    assert waiting.wait(timeout=30) == 0  # it did the job, then ended
    follower = spare._spare
    assert follower is not None and follower is not waiting and follower.poll() is None
    spare.shut_down()
    assert follower.wait(timeout=30) == 0  # its standard input closed: it left without a job
    assert spare._spare is None


def test_a_spare_that_died_is_replaced(tmp_path, spare):
    topic_id = _demo(tmp_path / "s.sqlite3")
    spare.warm()
    dead = spare._spare
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=30)
    use_case = functools.partial(topic_content, topic_id=topic_id, include_private=False)
    out = spare.export_in_child(
        None, tmp_path / "t.md", "md", load=(tmp_path / "s.sqlite3", use_case)
    )
    assert "Microsoft" in out.read_text(encoding="utf-8")


def test_a_warm_child_exports_an_encrypted_store_given_its_key_with_the_job(tmp_path, spare):
    spare.warm()  # started before the store or its key exist: the key can only come with the job
    waiting = spare._spare
    path = tmp_path / "encrypted.sqlite3"
    topic_id = _demo(path, encrypt_with=encryption.new_key(PASSPHRASE))
    use_case = functools.partial(topic_content, topic_id=topic_id, include_private=False)
    out = spare.export_in_child(None, tmp_path / "t.md", "md", load=(path, use_case))
    assert "Microsoft" in out.read_text(encoding="utf-8")
    assert waiting.wait(timeout=30) == 0  # the waiting child did it
    assert b"Microsoft" not in path.read_bytes()
