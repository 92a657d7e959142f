"""The benchmark's statistics, timing and memory helpers and its table formatting."""

from __future__ import annotations

from bench import common, report


def test_helpers() -> None:
    assert common.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert common.median_ratio([2.0, 4.0, 9.0], [1.0, 2.0, 3.0]) == 2.0
    times = common.interleaved({"a": lambda: None, "b": lambda: None}, 3)
    assert len(times["a"]) == len(times["b"]) == 3
    assert common.peak_rss_mb() > 0 and common.rss_mb() > 0
    assert "| x |" in report.table([[1]], ["x"])
