"""Shared test helpers. Test inputs are built in code; nothing depends on ../shared/."""

from __future__ import annotations

import pytest
from factories import make_id_number


@pytest.fixture
def id_number() -> str:
    return make_id_number()
