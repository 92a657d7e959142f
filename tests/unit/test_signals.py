"""The confidence of a quote from its signals (`rag.signals.confidence`)."""

from __future__ import annotations

from rag.signals import CONFIDENCE_WEIGHTS, confidence


def test_confidence_rises_with_evidence_and_falls_with_missing_terms():
    base = dict.fromkeys(CONFIDENCE_WEIGHTS, 0.3)
    for name, weight in CONFIDENCE_WEIGHTS.items():
        more = dict(base, **{name: base[name] + 0.3})
        assert (confidence(more) > confidence(base)) == (weight > 0)
