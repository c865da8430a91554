"""Shared test helpers. Test inputs are built in code; nothing depends on ../shared/."""

from __future__ import annotations

import pytest
from factories import make_id_number


@pytest.fixture(scope="session", autouse=True)
def _fingerprint_key_file(tmp_path_factory: pytest.TempPathFactory):
    """One generated key file for the test session (never the user's own key file);
    subprocesses inherit it through the environment."""
    import os

    from pubguard import keys

    path = tmp_path_factory.mktemp("keys") / "fingerprint.key"
    old = os.environ.get(keys.ENV_FILE)
    os.environ[keys.ENV_FILE] = str(path)
    keys.reset_cache()
    yield path
    if old is None:
        os.environ.pop(keys.ENV_FILE, None)
    else:
        os.environ[keys.ENV_FILE] = old
    keys.reset_cache()


@pytest.fixture
def id_number() -> str:
    return make_id_number()
