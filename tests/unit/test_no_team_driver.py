"""A store file never loads the team store's driver: psycopg is for PostgreSQL alone."""

from __future__ import annotations

import subprocess
import sys


def test_commands_on_a_store_file_never_import_psycopg(isolated_env, tmp_path):
    script = (
        "import sys\n"
        "from briefing.cli import main\n"
        f"db = {str(tmp_path / 'plain.sqlite3')!r}\n"
        "assert main(['--db', db, 'info']) == 0\n"
        "assert main(['--db', db, 'search', 'ibm']) == 0\n"
        "assert main(['--db', db, 'note', 'add', '--on', 'stakeholder:IBM', 'x']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0].startswith('psycopg'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=isolated_env,
        cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
