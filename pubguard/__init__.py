"""PubGuard 发布审核与保密审查: stands between a government website and everything published on it."""

__version__ = "0.1.0"
