"""Opening a Markdown export fetches nothing: the export is rendered by a Markdown renderer with
no sanitiser of its own (Python-Markdown, as a plain viewer would) and loaded in a headless
browser (Debian's chromium, which .ci/run installs) whose every request would reach a listener
on the loopback; the listener counts zero requests. A control page with one image proves the
listener would have seen a fetch."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading

import markdown
import pytest
from sqlalchemy import select

from briefing.cli import main
from briefing.core.notes import add_note
from briefing.store import open_store
from briefing.store.models import Source, Stakeholder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Skipped only on a developer's machine without one: CI installs it, and there a missing browser
# is a failure, not a silent skip.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="needs a chromium (.ci/run installs it)"
)


class _Listener(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listener():
    seen: list[str] = []
    handler = type("Handler", (_Listener,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


def browse(page, tmp_path) -> None:
    """Load `page` in headless chromium until it is idle (images, styles and frames fetched)."""
    subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )


def hostile(base: str) -> str:
    """Every way Markdown (and HTML inside it) has to make a viewer fetch an address."""
    return f"""Images in every form:
inline ![a]({base}/inline.png), titled ![t]({base}/titled.png "t"),
angle ![x](<{base}/angle.png>), nested alt ![a [b] c]({base}/nested.png),
reference ![b][r1], collapsed ![r2][], shortcut ![r3], spaced ![b] [r1],
multi-line alt ![line
two]({base}/multiline.png).

HTML: <img src="{base}/html.png"> <img srcset="{base}/srcset.png 2x">
<picture><source srcset="{base}/picture.png"></picture>
<link rel="stylesheet" href="{base}/style.css"><style>@import url({base}/import.css);</style>
<iframe src="{base}/frame"></iframe> <video poster="{base}/poster.png"></video>
<object data="{base}/object"></object> <embed src="{base}/embed">
<div style="background: url({base}/background.png)">x</div>
&lt;img src="{base}/entity.png"&gt;

A link is kept but not followed: <{base}/autolink> and [words]({base}/link).

[r1]: {base}/r1.png
[r2]: {base}/r2.png "title"
[r3]: <{base}/r3.png>
"""


def test_a_rendered_markdown_export_fetches_nothing(demo_path, tmp_path, listener):
    base, seen = listener
    with open_store(demo_path) as store, store.writing() as session:
        ibm = session.scalars(select(Stakeholder).where(Stakeholder.name == "IBM")).one()
        add_note(session, ("stakeholder", ibm.id), hostile(base))
        source = session.scalars(select(Source)).first()
        source.url = f"{base}/source-address"

    control = tmp_path / "control.html"
    control.write_text(f'<html><body><img src="{base}/control.png"></body></html>')
    browse(control, tmp_path)
    assert seen == ["/control.png"]  # the browser and the listener see each other
    seen.clear()

    out = tmp_path / "topic.md"
    assert main(["--db", str(demo_path), "export", str(out), "--with-notes"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "inline.png" in text and "r1.png" in text  # named, for the reader to see
    page = tmp_path / "topic.html"
    page.write_text(f"<html><body>{markdown.markdown(text)}</body></html>", encoding="utf-8")
    browse(page, tmp_path)
    assert seen == []
