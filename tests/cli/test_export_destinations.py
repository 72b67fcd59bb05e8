"""An export replaces only what it should: a regular file the user may write. A read-only file, a
device, a FIFO, a socket or a folder is refused in words and left as it was; a symbolic link is
followed (its target replaced, the link kept), and a link to nothing is refused."""

from __future__ import annotations

import os
import socket
import stat

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases


def export(capsys, db, out, fmt="md"):
    code = main(["--db", str(db), "export", str(out), "--format", fmt])
    return code, capsys.readouterr().err


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_read_only_file_is_not_replaced(demo_path, tmp_path, capsys, fmt):
    out = tmp_path / "kept.md"
    out.write_text("the user's own words", encoding="utf-8")
    out.chmod(0o444)
    code, err = export(capsys, demo_path, out, fmt)
    assert code == 2 and "the file is read-only; nothing was replaced" in err
    assert out.read_text(encoding="utf-8") == "the user's own words"
    assert stat.S_IMODE(out.stat().st_mode) == 0o444 and leftovers(tmp_path) == []


def test_a_fifo_is_refused_without_being_opened(demo_path, tmp_path, capsys):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    code, err = export(capsys, demo_path, fifo)  # opening it would block: the test would hang
    assert code == 2 and "it is a FIFO (named pipe), not a regular file" in err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and leftovers(tmp_path) == []


def test_a_socket_is_refused(demo_path, tmp_path, capsys):
    path = tmp_path / "sock.md"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        code, err = export(capsys, demo_path, path)
    finally:
        server.close()
    assert code == 2 and "it is a socket, not a regular file" in err
    assert stat.S_ISSOCK(path.stat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_is_not_replaced_even_by_root(demo_path, tmp_path, capsys):
    node = tmp_path / "null.md"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    code, err = export(capsys, demo_path, node)
    assert code == 2 and "it is a character device, not a regular file" in err
    assert stat.S_ISCHR(node.stat().st_mode) and leftovers(tmp_path) == []


def test_a_folder_is_refused(demo_path, tmp_path, capsys):
    folder = tmp_path / "folder.md"
    folder.mkdir()
    code, err = export(capsys, demo_path, folder)
    assert code == 2 and "it is a folder" in err


def test_a_symbolic_link_is_followed_and_stays_a_link(demo_path, tmp_path, capsys):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "briefing.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, err = export(capsys, demo_path, link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert leftovers(tmp_path) == [] and leftovers(target.parent) == []


def test_a_link_to_nothing_or_to_a_read_only_file_is_refused(demo_path, tmp_path, capsys):
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere" / "x.md")
    code, err = export(capsys, demo_path, dangling)
    assert code == 2 and "is a link to" in err and "which does not exist" in err
    assert dangling.is_symlink()

    target = tmp_path / "protected.md"
    target.write_text("keep", encoding="utf-8")
    target.chmod(0o444)
    link = tmp_path / "to-protected.md"
    link.symlink_to(target)
    code, err = export(capsys, demo_path, link)
    assert code == 2 and "read-only" in err and target.read_text(encoding="utf-8") == "keep"
