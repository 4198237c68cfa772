from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Engines and live sessions are cached per process; tests start from a clean slate."""
    from trellis.diagnostics import bank

    bank.clear_caches()
    yield
    bank.clear_caches()
