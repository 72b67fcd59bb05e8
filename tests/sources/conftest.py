"""Small source files made by the tests themselves: a hand-built PDF, HTML with page furniture."""

from __future__ import annotations

import pytest


def _escape_pdf(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(pages: list[list[str]], title: str = "", author: str = "") -> bytes:
    """A valid PDF with one text line per entry of each page, in the standard Helvetica font."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for index, lines in enumerate(pages):
        content_id = page_ids[index] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
        for line in lines:
            ops.append(f"({_escape_pdf(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_id = len(objects) + 1
    objects.append(
        f"<< /Title ({_escape_pdf(title)}) /Author ({_escape_pdf(author)}) "
        "/CreationDate (D:20200608120000Z) >>".encode()
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_id,
        xref,
    )
    return bytes(out)


NEWS_HTML = """<!doctype html>
<html><head>
<title>IBM quits facial recognition | Example News</title>
<meta property="og:site_name" content="Example News">
<meta name="author" content="A. Reporter">
<meta property="article:published_time" content="2020-06-09T10:00:00Z">
<style>p { color: red }</style>
<script>var secret = "do not keep me";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<header><p>Subscribe today</p></header>
<article>
<h1>IBM quits   facial recognition</h1>
<p>IBM&rsquo;s chief executive wrote that
   &ldquo;now is the time to begin a national debate.&rdquo;</p>
<p hidden>Hidden tracking text</p>
<p>Second paragraph &amp; more.<br>New line.</p>
</article>
<footer>Copyright Example News</footer>
<script>alert(1)</script>
</body></html>
"""


@pytest.fixture
def make_pdf():
    return minimal_pdf


@pytest.fixture
def news_html() -> str:
    return NEWS_HTML
