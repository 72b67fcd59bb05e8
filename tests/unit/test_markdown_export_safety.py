"""The Markdown export is as safe to open as the HTML one: a viewer fetches and runs nothing.

A shared `.md` is opened in whatever viewer a colleague has, which renders raw Markdown: an image
there is fetched, a `javascript:` link followed. So user Markdown (notes, summaries, the
introduction) and stored addresses must reach the file with nothing active left in them.
"""

from __future__ import annotations

import re

import markdown
import pytest
from sqlalchemy import select

from briefing.core import briefings
from briefing.core.notes import add_note
from briefing.render.briefing import markdown_document
from briefing.store.models import Source, Stakeholder

pytestmark = pytest.mark.both_databases

HOSTILE = (
    "Shared note ![x](https://tracker.example/n.png) [c](javascript:alert(1)) "
    "[ok](https://example.org/fine)\n\n[ref]: javascript:alert(2)\n\nSee [r][ref]."
)


def test_the_markdown_export_carries_nothing_a_viewer_would_fetch_or_run(demo_store):
    with demo_store.writing() as session:
        ibm = session.scalars(select(Stakeholder).where(Stakeholder.name == "IBM")).one()
        add_note(session, ("stakeholder", ibm.id), HOSTILE)
        source = session.scalars(select(Source)).first()
        source.url = (
            "https://example.org/a><img src=https://tracker.example/p.png onerror=alert(1)>"
        )
    with demo_store.reading() as session:
        text = markdown_document(briefings.topic_content(session, 1, with_notes=True))
    rendered = markdown.markdown(text)  # a plain viewer: no sanitiser of its own
    assert "<img" not in rendered
    assert "javascript:" not in rendered
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", rendered)  # no element with a handler
    assert 'href="https://example.org/fine"' in rendered  # safe links still work
    assert "tracker.example/n.png" in rendered  # the image is named, not shown
