"""PubGuard web service: HTTP API under /api/v1 and the Chinese web UI for editors and
reviewers, on top of the review library (`pubguard.review`), which holds every workflow rule."""

from pubguard.api.app import create_app
from pubguard.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
