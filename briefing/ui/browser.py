"""A read-only rich-text view that never loads anything from outside the app.

Qt's QTextBrowser would resolve `<img src>` and stylesheet URLs through `loadResource`; this one
answers every such request with nothing (but for the few images the app draws itself,
`register_app_image`), so no note or source can make the app read a file or
reach the network. Links are not followed: a click shows the address and asks first, and only
then hands it to the user's browser.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

from briefing.paths import resources_dir
from briefing.render import palette

_STYLESHEET: str | None = None
APP_IMAGES = "briefing-image"  # the scheme of images the app draws itself
_APP_IMAGES: dict[str, QImage] = {}


def register_app_image(name: str, image: QImage) -> None:
    """Offer an image the app drew as `briefing-image:NAME` to every SafeBrowser."""
    _APP_IMAGES[name] = image


def detail_stylesheet() -> str:
    global _STYLESHEET
    if _STYLESHEET is None:
        css = (resources_dir() / "styles" / "detail.css").read_text(encoding="utf-8")
        _STYLESHEET = "\n".join(
            (css, palette.stance_css(), palette.answer_css(), palette.status_css(), "")
        )
    return _STYLESHEET


def confirm_open_link(parent: QWidget, url: QUrl) -> bool:
    """Ask before a link leaves the app. Tests replace this function."""
    answer = QMessageBox.question(
        parent,
        "Open link in your browser?",
        f"This link leads outside Briefing:\n\n{url.toDisplayString()}\n\nOpen it in your browser?",
    )
    return answer == QMessageBox.StandardButton.Yes


class SafeBrowser(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(detail_stylesheet())
        self.anchorClicked.connect(self._on_link)

    def loadResource(self, type: int, name: QUrl):  # noqa: A002 (Qt's signature)
        # Nothing from outside: only images the app drew itself (the private note's padlock).
        if type == QTextDocument.ResourceType.ImageResource and name.scheme() == APP_IMAGES:
            return _APP_IMAGES.get(name.path())
        return None

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto") and confirm_open_link(self, url):
            QDesktopServices.openUrl(url)
