"""Hostile imports finish in time proportional to their size, and quoting words a large source
does not hold is refused in bounded time and memory.

Run: `python tests/benchmarks/bench_hostile.py`. Not part of the test run (timings are machine
dependent). Each case is a ratio against a baseline measured in the same run:

- HTML: 100,000 nested `<div>`s (1.1 MB) against the same number of bytes of flat paragraphs,
  both read with `read_file` (the target is under 2x), and 150,000 unclosed tags with stray end
  tags against flat paragraphs of the same size. Before, the nested page took 227 s and the
  unclosed one 506 s.
- A quote whose words are not in a 49 MB source (`find_occurrences`, then `closest_passage` for
  the hint, as `quote add` does) against reading and hashing the file; the peak memory the
  refusal allocates (tracemalloc) against the size of the source's text. Before: 15 s, 2.4 GB.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_sources import text_of  # noqa: E402

from briefing.core.quotes import closest_passage, find_occurrences  # noqa: E402
from briefing.core.sources import read_file  # noqa: E402


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def html_cases(folder: Path) -> list[str]:
    n = 100_000
    nested = "<html><body>" + "<div>" * n + "words in the middle" + "</div>" * n + "</body></html>"
    para = "<p>Some words of a paragraph.</p>\n"
    flat = "<html><body>" + para * (len(nested) // len(para)) + "</body></html>"
    unclosed = "<html><body>" + "<b>x<span>y" * 75_000 + "</i>" * 5_000 + "</body></html>"
    flat_small = "<html><body>" + para * (len(unclosed) // len(para)) + "</body></html>"
    lines = []
    timings = {}
    for name, markup in (
        ("flat", flat),
        ("nested", nested),
        ("flat-small", flat_small),
        ("unclosed", unclosed),
    ):
        path = folder / f"{name}.html"
        path.write_text(markup, encoding="utf-8")
        timings[name] = min(timed(lambda p=path: read_file(p)) for _ in range(3))
    lines.append(
        f"HTML, 100,000 nested <div>s ({len(nested) / 1e6:.1f} MB): {timings['nested']:.2f} s; "
        f"flat paragraphs of the same size {timings['flat']:.2f} s; "
        f"ratio {timings['nested'] / timings['flat']:.2f} (target < 2)"
    )
    lines.append(
        f"HTML, 150,000 unclosed tags and 5,000 stray end tags ({len(unclosed) / 1e6:.1f} MB): "
        f"{timings['unclosed']:.2f} s; flat paragraphs of the same size "
        f"{timings['flat-small']:.2f} s; ratio {timings['unclosed'] / timings['flat-small']:.2f}"
    )
    return lines


def absent_quote(folder: Path) -> str:
    text = text_of(49 * 1024 * 1024)
    path = folder / "large.txt"
    path.write_text(text, encoding="utf-8")
    baseline = timed(lambda: hashlib.sha256(path.read_bytes()).hexdigest())
    words = "the quick brown fox jumps over the lazy dog, " + text[1000:1080]

    def refuse() -> None:
        assert find_occurrences(text, words) == []
        assert closest_passage(text, words) is not None

    refusing = min(timed(refuse) for _ in range(2))
    tracemalloc.start()  # a second run for memory: tracemalloc slows every allocation
    refuse()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (
        f"quote absent from a {len(text) / 1e6:.0f} MB source: refused in {refusing:.2f} s "
        f"(x{refusing / baseline:.1f} reading and hashing it, {baseline:.2f} s); "
        f"peak memory {peak / 1e6:.0f} MB ({peak / len(text):.1f}x the text)"
    )


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    lines = [absent_quote(folder), *html_cases(folder)]
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
