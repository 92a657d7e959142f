"""Unit tests run without the embedding model: loading it here fails the test that tried."""

from __future__ import annotations

import pytest

from rag import embedding


@pytest.fixture(autouse=True)
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit test that reaches the model belongs in tests/integration/."""

    def refuse(name: str) -> None:
        raise AssertionError(f"a unit test loaded the model {name!r}: move it to tests/integration/")

    monkeypatch.setattr(embedding, "get_model", refuse)
