"""Render untrusted Markdown (notes, imported documents, briefings) to safe HTML.

Text that reaches Briefing may come from anyone: pasted press releases, e-mails,
documents from people who are hostile to the advocates using the app. This module
turns such text into HTML that the UI can display without risk. Markdown is
converted with Python-Markdown (raw HTML is allowed through at that stage) and
the result is then cleaned by nh3 against an explicit allow-list of tags,
attributes and URL schemes; anything not on the list is dropped, never
"repaired". Links keep only http, https, mailto or in-page ``#fragment``
targets and always get ``rel="noopener noreferrer"``. No remote resource is ever
loaded: apart from PNG/JPEG images embedded as base64 ``data:`` URLs, every image
is replaced after sanitising by a visible text placeholder naming its address,
because fetching an image discloses the reader's IP address and the time a
document was opened (a tracking pixel), and local ``file:`` images can probe the
disk. Before rendering, NUL bytes and Unicode bidi override/isolate characters
are removed, since they can make text display differently from what it is
(e.g. hide the real target of a link or reverse a name), and very long input is
cut at :data:`MAX_INPUT_CHARS` with a visible notice. No Qt is imported here.
"""

from __future__ import annotations

import html
import re
import threading

import markdown as _markdown
import nh3

__all__ = ["MAX_INPUT_CHARS", "render_inline", "render_markdown"]

#: Longest input rendered. Anything beyond is cut off and a notice paragraph is
#: appended: Python-Markdown needs a few seconds per megabyte, and a note larger
#: than this is almost certainly pasted data rather than prose.
MAX_INPUT_CHARS = 2_000_000

# Python-Markdown's "extra" bundle minus the parts that let input shape raw
# markup: "attr_list" (arbitrary attributes via ``{: ...}``) and "md_in_html"
# (Markdown parsed inside raw HTML blocks), and minus "def_list", whose
# <dl>/<dt>/<dd> output is not on the allow-list. Raw HTML itself still passes
# through Python-Markdown; nh3 below is what makes it harmless.
_MD_EXTENSIONS = ("abbr", "fenced_code", "footnotes", "tables", "sane_lists")
# Column alignment as align="..." (allowed) instead of style="..." (never allowed).
_MD_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
        "span", "sup", "sub", "abbr",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    # An explicit empty "*" entry: otherwise nh3 keeps ammonia's default generic
    # attributes (lang, title) on every tag.
    "*": set(),
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Schemes nh3 lets through on href/src. Broader than _LINK_SCHEMES so that the
# address of a blocked image (http, file, ...) can still be shown to the reader in
# its placeholder; links are narrowed to _LINK_SCHEMES by _filter_attribute, and
# every image whose src is not an embedded PNG/JPEG is replaced after cleaning.
# javascript:, vbscript: and unknown schemes are removed by nh3 outright.
_NH3_URL_SCHEMES = _LINK_SCHEMES | {"data", "file", "ftp"}
_LINK_REL = "noopener noreferrer"

# The only image sources that are displayed: pictures the app embeds itself.
_EMBEDDED_IMAGE_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")
_BASE64_BODY = re.compile(r"[A-Za-z0-9+/]*={0,2}")

# NUL, LRE, RLE, PDF, LRO, RLO (U+202A-U+202E), LRI, RLI, FSI, PDI (U+2066-U+2069).
_STRIP_CHARS = {0: None} | {cp: None for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

# Per the WHATWG URL parser, browsers ignore ASCII tab/newline anywhere in a URL
# and C0 controls/spaces around it; the scheme is judged on that cleaned form.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_AND_SPACE = "".join(chr(cp) for cp in range(0x21))

# Tokeniser for nh3's serialised output: a whole tag (attribute values are always
# double-quoted there, so a quoted ">" cannot end the tag early), or a text run.
_TOKEN = re.compile(r'<(?:[^>"]|"[^"]*")*>|[^<]+|<')
_IMG_TAG = re.compile(r"<img(?=[\s/>])", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([^\s="/>]+)(?:\s*=\s*"([^"]*)")?')
_PLACEHOLDER_ADDRESS_MAX = 200


def is_safe_link(url: str) -> bool:
    """A link target a reader may follow: web, mail, or a place in the same document."""
    scheme = _url_scheme(url)
    return scheme in {"http", "https", "mailto"} or (scheme is None and url.startswith("#"))


def _url_scheme(url: str) -> str | None:
    """Return the lower-cased scheme a browser would see in ``url``, if any."""
    cleaned = _URL_IGNORED.sub("", url).lstrip(_C0_AND_SPACE)
    match = _URL_SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 callback: narrow link targets to http/https/mailto and ``#fragment``."""
    if tag == "a" and attribute == "href":
        scheme = _url_scheme(value)
        if scheme is None:
            # Relative links would resolve against whatever base the viewer uses
            # (possibly file://); only in-page anchors such as footnotes are kept.
            return value if value.strip().startswith("#") else None
        return value if scheme in _LINK_SCHEMES else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in _ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=_LINK_REL,
    url_schemes=set(_NH3_URL_SCHEMES),
    allowed_classes={},
)


def _prepare(text: str) -> tuple[str, bool]:
    """Strip NUL/bidi control characters and apply the length limit."""
    text = text.translate(_STRIP_CHARS)
    if len(text) > MAX_INPUT_CHARS:
        return text[:MAX_INPUT_CHARS], True
    return text, False


def _is_embedded_image(src: str) -> bool:
    for prefix in _EMBEDDED_IMAGE_PREFIXES:
        if src.startswith(prefix):
            return _BASE64_BODY.fullmatch(src[len(prefix) :]) is not None
    return False


def _placeholder_address(src: str | None) -> str:
    if src is None:
        return "unsafe address removed"
    if src.lower().startswith("data:"):
        # The payload of a data: URL is content, not an address, and may be huge.
        return src.split(",", 1)[0][:_PLACEHOLDER_ADDRESS_MAX] + ",…"
    if len(src) > _PLACEHOLDER_ADDRESS_MAX:
        return src[:_PLACEHOLDER_ADDRESS_MAX] + "…"
    return src


def _replace_image(tag: str) -> str:
    attrs: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(tag, 4):
        name = match.group(1).lower()
        if name not in attrs:
            attrs[name] = html.unescape(match.group(2) or "")
    src = attrs.get("src")
    alt = attrs.get("alt", "")
    if src is not None and _is_embedded_image(src):
        out = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}"'
        if "title" in attrs:
            out += f' title="{html.escape(attrs["title"])}"'
        return out + ">"
    address = _placeholder_address(src)
    return f'<span class="remote-image">[image: {html.escape(alt)} — {html.escape(address)}]</span>'


def _replace_images(cleaned: str) -> str:
    """Swap every non-embedded ``<img>`` in nh3 output for a text placeholder.

    Runs after nh3, so the ``remote-image`` class can only come from here: nh3
    strips every class attribute present in the input.
    """
    if "<img" not in cleaned and "<IMG" not in cleaned:
        return cleaned
    parts = []
    for match in _TOKEN.finditer(cleaned):
        token = match.group(0)
        if _IMG_TAG.match(token):
            token = _replace_image(token)
        parts.append(token)
    return "".join(parts)


_converters = threading.local()


def _converter() -> _markdown.Markdown:
    """This thread's Markdown instance. Markdown objects are not thread-safe, and building one
    loads its extensions (about 2 ms, once per note of a card's details): one per thread, reset
    before each conversion so that nothing (footnotes, abbreviations, the HTML stash) carries
    over from the last text."""
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = _markdown.Markdown(
            extensions=list(_MD_EXTENSIONS),
            extension_configs=_MD_EXTENSION_CONFIGS,
            output_format="html",
        )
    return md.reset()


def _convert(text: str) -> str:
    return _replace_images(_CLEANER.clean(_converter().convert(text))).strip()


def _truncation_notice() -> str:
    return f"Text too long: only the first {MAX_INPUT_CHARS:,} characters are shown."


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` to sanitised HTML (pure and deterministic)."""
    prepared, truncated = _prepare(text)
    out = _convert(prepared)
    if truncated:
        out += f"\n<p><strong>{html.escape(_truncation_notice())}</strong></p>"
    return out


def render_inline(text: str) -> str:
    """Render one line of Markdown (e.g. a headline) without the ``<p>`` wrapper.

    Line breaks are treated as spaces. If the line is a block construct (say a
    ``# heading``), the block element is kept.
    """
    prepared, truncated = _prepare(text)
    prepared = " ".join(prepared.splitlines())
    out = _convert(prepared)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    if truncated:
        out += f" <strong>{html.escape(_truncation_notice())}</strong>"
    return out
