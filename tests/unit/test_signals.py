"""A candidate's confidence and rank inputs from its signals (`rag.signals`)."""

from __future__ import annotations

import math

import pytest

from rag.signals import CONFIDENCE_WEIGHTS, confidence, log_odds


def test_confidence_rises_with_evidence_and_falls_with_missing_terms():
    base = dict.fromkeys(CONFIDENCE_WEIGHTS, 0.3)
    for name, weight in CONFIDENCE_WEIGHTS.items():
        more = dict(base, **{name: base[name] + 0.3})
        assert (confidence(more) > confidence(base)) == (weight > 0)


def test_the_rankers_log_odds_are_finite_and_keep_its_order():
    # the ranker's P(answers) joins a linear rank score as log-odds: 0.5 adds nothing, and a
    # float32 probability of exactly 0 or 1 must not give an infinite score
    assert log_odds(0.5) == 0.0
    assert log_odds(0.9) == pytest.approx(-log_odds(0.1))
    values = [log_odds(p) for p in (0.0, 1e-9, 0.2, 0.5, 0.8, 1.0 - 1e-9, 1.0)]
    assert all(math.isfinite(v) for v in values) and values == sorted(values)
    assert log_odds(0.2) < log_odds(0.8)
