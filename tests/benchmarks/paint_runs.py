"""Runs `paint_child.py` in fresh processes, interleaved, and summarises; used by benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def paint(*arguments: str) -> tuple[float, float]:
    """Seconds from process start to first paint, and peak resident MB, of one fresh process."""
    seconds, megabytes = child(*arguments)[-2:]
    return seconds, megabytes


def child(*arguments: str, environment: dict[str, str] | None = None) -> list[float]:
    """The numbers one fresh `paint_child.py` process prints (with `environment` added)."""
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, XDG_CONFIG_HOME=config, **(environment or {}))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        # As installed: with bytecode (the warm-up run writes it). Without it, every start
        # compiles the app's modules from source again, which no installed copy does.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            [sys.executable, str(HERE / "paint_child.py"), *arguments],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=True,
        )
    return [float(word) for word in done.stdout.strip().splitlines()[-1].split()]


def interleaved(
    cases: dict[str, tuple[str, ...]], rounds: int, *, warm_up: bool = True
) -> dict[str, list[tuple[float, float]]]:
    """Each case once per round, in turn, after one warm-up run of each (file caches)."""
    for arguments in cases.values() if warm_up else ():
        paint(*arguments)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, arguments in cases.items():
            results[name].append(paint(*arguments))
    return results


def summary(name: str, runs: list[tuple[float, float]]) -> str:
    times = [t for t, _ in runs]
    peak = max(m for _, m in runs)
    return (
        f"{name:<28} median {statistics.median(times):6.3f} s  "
        f"(min {min(times):.3f}, max {max(times):.3f})  peak RSS {peak:6.1f} MB"
    )


def median(runs: list[tuple[float, float]]) -> float:
    return statistics.median(t for t, _ in runs)
