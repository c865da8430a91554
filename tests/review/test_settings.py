"""One settings model for the review layer and the web service (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pubguard.api.settings import ApiSettings
from pubguard.review.settings import MAX_UPLOAD_BYTES, ReviewSettings


def test_one_upload_limit() -> None:
    assert MAX_UPLOAD_BYTES == 100 * 1024 * 1024
    assert ReviewSettings().max_upload_bytes == ApiSettings().max_upload_bytes == MAX_UPLOAD_BYTES
    assert isinstance(ApiSettings(), ReviewSettings)


def test_environment_sets_any_field(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PUBGUARD_MAX_UPLOAD_BYTES", "2048")
    api = ApiSettings()
    assert api.data_dir == tmp_path and api.max_upload_bytes == 2048
    review = api.review_settings()
    assert review.max_upload_bytes == 2048 and review.files_dir == tmp_path / "files"
    assert ApiSettings(max_upload_bytes=10).max_upload_bytes == 10  # code wins over the environment


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBGUARD_MAX_UPLOAD_BYTES", "many")
    with pytest.raises(ValidationError):
        ReviewSettings()
    monkeypatch.delenv("PUBGUARD_MAX_UPLOAD_BYTES")
    with pytest.raises(ValidationError):
        ReviewSettings(max_upload_bytes=0)


def test_database_url_default_and_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUBGUARD_DATABASE_URL", raising=False)
    assert (
        ReviewSettings(data_dir=tmp_path).resolved_database_url() == f"sqlite:///{tmp_path / 'pubguard.db'}"
    )
    url = ReviewSettings(database_url="postgresql://u@h/db").resolved_database_url()
    assert url == "postgresql+psycopg://u@h/db"
