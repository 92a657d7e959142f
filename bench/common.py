"""Timing, memory and subprocess helpers shared by the benchmark sections."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def child_env() -> dict[str, str]:
    """Environment of benchmark subprocesses: offline, the repo importable, quiet tokenizers."""
    env = dict(os.environ)
    env["HF_HUB_OFFLINE"] = "1"
    env["TOKENIZERS_PARALLELISM"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else float("nan"),
        "n": len(ms),
    }


def ratio(a: float, b: float) -> float:
    """a / b rounded for reports (NaN when b is zero)."""
    return round(a / b, 3) if b else float("nan")


def median_ratio(ours: Sequence[float], ref: Sequence[float]) -> float:
    """Median of the pairwise ratios ours[i] / ref[i] (pairs were measured side by side)."""
    pairs = [a / b for a, b in zip(ours, ref, strict=True) if b > 0]
    return round(statistics.median(pairs), 3) if pairs else float("nan")


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Time each callable once per round, rotating which goes first.

    Rotation matters: on a shared machine the first call after a pause (or after another
    process ran) is slower, and a fixed order would charge that to one side only.
    """
    times: dict[str, list[float]] = {n: [] for n in fns}
    for r in range(rounds):
        rotated_round(fns, times, r)
    return times


def rotated_round(calls: dict[str, Callable[[], Any]], times: dict[str, list[float]], shift: int) -> None:
    """Time each call once, starting with the `shift`-th (mod len), appending to `times`."""
    names = list(calls)
    k = shift % len(names)
    for name in names[k:] + names[:k]:
        t0 = time.perf_counter()
        calls[name]()
        times.setdefault(name, []).append(time.perf_counter() - t0)


def timed_pairs(
    ours: Callable[[str], Any], ref: Callable[[str], Any], args: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Seconds of ours(arg) and of ref(arg) for each arg, back to back, the order flipped every other arg."""
    ours_s: list[float] = []
    ref_s: list[float] = []
    for i, arg in enumerate(args):
        first, second = (ours, ref) if i % 2 == 0 else (ref, ours)
        t0 = time.perf_counter()
        first(arg)
        t1 = time.perf_counter()
        second(arg)
        a, b = t1 - t0, time.perf_counter() - t1
        ours_s.append(a if i % 2 == 0 else b)
        ref_s.append(b if i % 2 == 0 else a)
    return ours_s, ref_s


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM) in MB."""
    return _status_kb("VmHWM") / 1024


def rss_mb() -> float:
    """This process's current resident memory (VmRSS) in MB."""
    return _status_kb("VmRSS") / 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_kb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return float("nan")


def run_json(args: Sequence[str], timeout: float = 3600, in_process: bool = False) -> dict[str, Any]:
    """Run `python -m MODULE ARGS...` with the benchmark environment; its last stdout line is JSON.

    `in_process` calls `MODULE.main(ARGS)` in this process instead: the same arguments and
    output, without a fresh interpreter (the smoke test's toy run; memory figures are then
    this process's, so meaningless).
    """
    if in_process:
        if args[0] != "-m":
            raise ValueError(f"in_process runs `-m MODULE ARGS...`, not {' '.join(args)}")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = importlib.import_module(args[1]).main(list(args[2:]))
        if code:
            raise RuntimeError(f"{' '.join(args)} failed ({code}) in process")
        return dict(json.loads(out.getvalue().strip().splitlines()[-1]))
    proc = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def dir_bytes(path: Path) -> int:
    """Total size of the files under `path` (or of the file `path`)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def log(msg: str) -> None:
    """Progress on stderr, so stdout keeps only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
