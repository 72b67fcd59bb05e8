"""Rendering hostile notes makes no connection, even to a server listening on this machine.

conftest already refuses Python's own IP connections; Qt has its own sockets, so this test
listens on a loopback port, renders notes that point at it in every way a note can (image,
CSS url(), @import, stylesheet link, SVG, table background, plain link) in the note preview and
the detail panel, and in a SafeBrowser given the raw HTML without the sanitiser at all, then checks
that nothing connected. The listening socket is loopback only and closed at the end.
"""

from __future__ import annotations

import select
import socket

import pytest
from PySide6.QtCore import QSettings

from briefing.core import notes as core
from briefing.core.lookup import resolve_target
from briefing.ui.browser import SafeBrowser
from briefing.ui.main_window import MainWindow


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def hostile_notes(port: int) -> list[str]:
    at = f"http://127.0.0.1:{port}"
    return [
        f"![pixel]({at}/markdown-image.png)",
        f'<img src="{at}/raw-img.png"> <IMG SRC={at}/upper.png onerror="alert(1)">',
        f'<div style="background-image:url({at}/inline-style.png)">styled</div>',
        f"<style>@import url({at}/import.css); body {{ background: url({at}/style.png) }}</style>",
        f'<link rel="stylesheet" href="{at}/linked.css">',
        f'<svg><image href="{at}/svg.png"/><script>fetch("{at}/svg-script")</script></svg>',
        f'<table background="{at}/table-bg.png"><tr><td>cell</td></tr></table>',
        f'<body background="{at}/body-bg.png">body</body>',
        f"[a link]({at}/link) and <{at}/autolink>",
        f'<iframe src="{at}/frame"></iframe><object data="{at}/object"></object>',
        f'<video poster="{at}/poster.png"></video><audio src="{at}/sound.mp3"></audio>',
    ]


def nobody_connected(server: socket.socket) -> bool:
    # Waiting for an event that must not come: a bounded wait, not a timing assertion.
    readable, _, _ = select.select([server], [], [], 1.0)
    return not readable


def test_rendering_hostile_notes_makes_no_connection(
    qtbot, demo_store, listener, tmp_path, monkeypatch
):
    port = listener.getsockname()[1]
    bodies = hostile_notes(port)
    requested: list[str] = []
    original = SafeBrowser.loadResource

    def spy(self, kind, url):
        requested.append(url.toString())
        return original(self, kind, url)

    monkeypatch.setattr(SafeBrowser, "loadResource", spy)

    with demo_store.writing() as session:
        target = resolve_target(session, "stakeholder:IBM")
        for body in bodies:
            core.add_note(session, target, body)

    window = MainWindow(demo_store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    assert window.select_stakeholder("IBM")
    window.detail.grab()  # the detail panel lays out and paints every note

    panel = window.notes_panel
    window.side_tabs.setCurrentWidget(panel)
    preview = panel.editor.preview
    for row in range(panel.model.rowCount()):
        panel.list.setCurrentIndex(panel.model.index(row, 0))
        preview.grab()
    panel.new_button.click()
    panel.editor.source.setPlainText("\n\n".join(bodies))
    panel.editor.update_preview()
    preview.grab()

    # Without the sanitiser: Qt's own handling of the raw HTML must not fetch either.
    raw = SafeBrowser()
    qtbot.addWidget(raw)
    raw.resize(600, 800)
    raw.show()
    raw.setHtml("\n".join(bodies))
    raw.grab()
    qtbot.wait(50)  # let any queued work run

    assert nobody_connected(listener)
    # Qt did ask for the raw HTML's images, and was given nothing.
    assert any(f"127.0.0.1:{port}/raw-img.png" in url for url in requested)
    # The sanitised views never even asked: their images are text placeholders.
    preview_text = preview.toPlainText()
    assert f"[image: pixel \u2014 http://127.0.0.1:{port}/markdown-image.png]" in preview_text
    assert "<img" not in preview.toHtml()
    window.grab().save(str(tmp_path / "hostile-notes.png"))
