"""How well quote suggestions find the statements of news articles, and their speakers.

Run: `python tests/benchmarks/bench_suggestions.py`. Not part of the test run; times are CPU
time of this process, steadier than wall time on a shared machine. The corpus is
`tests/data/suggestions/`: fourteen news-style articles written for these tests, every statement
in quotation marks (four words or more) labelled with its speaker in `labels.json`. Articles
01-08 ("development") were written first and the suggester was tuned on them; 09-12
("held out") were written and labelled afterwards and measured (20 of 20 statements, 18 of 20
speakers) before two fixes for what they missed; 13-14 ("fresh") were written and labelled
after those fixes, before the suggester ever ran on them. Printed per part and per article:

- suggestions: precision (suggested words that are a labelled statement) and recall
  (labelled statements suggested, the words exactly, white space aside);
- speakers: precision (of the names given for labelled statements, those right) and recall
  (labelled statements given the right speaker; "no speaker" is right where the label says the
  sentence names no one).

Then the cost on a long text (the corpus repeated to about 10 MB), as a ratio to a bare scan
for quotation marks, which any finder must do.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from briefing.core.suggestions import find_quotations

CORPUS = Path(__file__).parent.parent / "data" / "suggestions"


def score(articles: dict[str, list]) -> dict[str, float]:
    suggested = right_words = labelled = named = named_right = speakers_right = 0
    for name, labels in articles.items():
        truth = {text: speaker for text, speaker in labels}
        found = [
            (" ".join(q.text.split()), q.speaker)
            for q in find_quotations((CORPUS / name).read_text(encoding="utf-8"))
        ]
        hits = [(text, speaker) for text, speaker in found if text in truth]
        suggested += len(found)
        labelled += len(truth)
        right_words += len(hits)
        right = sum(1 for text, speaker in hits if speaker == truth[text])
        speakers_right += right
        named += sum(1 for _, speaker in hits if speaker is not None)
        named_right += sum(1 for t, speaker in hits if speaker is not None and speaker == truth[t])
        wrong = [(t[:40], s, truth[t]) for t, s in hits if s != truth[t]]
        print(
            f"  {name}: {len(found)} suggested, {len(hits)} of {len(truth)} statements, "
            f"{right} speakers right" + (f"; wrong: {wrong}" if wrong else "")
        )
    return {
        "suggestion precision": right_words / max(suggested, 1),
        "suggestion recall": right_words / max(labelled, 1),
        "speaker precision": named_right / max(named, 1),
        "speaker recall": speakers_right / max(labelled, 1),
    }


def main() -> int:
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    for part in ("development", "held_out", "fresh"):
        print(f"{part.replace('_', ' ')}:")
        figures = score(labels[part])
        print("  " + "; ".join(f"{k} {v:.1%}" for k, v in figures.items()))

    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in sorted(labels["held_out"])]
    texts += [(CORPUS / name).read_text(encoding="utf-8") for name in sorted(labels["development"])]
    texts += [(CORPUS / name).read_text(encoding="utf-8") for name in sorted(labels["fresh"])]
    one = "\n\n".join(texts)
    big = "\n\n".join([one] * (10_000_000 // len(one) + 1))
    marks = re.compile(r'[\u201c\u201d\u00ab\u00bb\u201e"]')
    start = time.process_time()
    count = sum(1 for _ in marks.finditer(big))
    scan = time.process_time() - start
    start = time.process_time()
    found = find_quotations(big)
    took = time.process_time() - start
    print(
        f"{len(big) / 1e6:.1f} MB of articles: {count} quotation marks scanned in {scan:.3f} s; "
        f"{len(found)} quotations with speakers found in {took:.2f} s"
    )
    print(f"ratio find_quotations / bare scan for quotation marks: {took / scan:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
