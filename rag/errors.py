"""Named errors a caller can catch; each message says how to fix the problem."""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error this library raises on purpose."""


class SourceError(RagError, ValueError):
    """The source folder is missing, empty, or holds no readable article."""


class IndexNotFoundError(RagError, FileNotFoundError):
    """No index at the given path; build one with `rag build`."""


class IndexCorruptError(RagError):
    """An index folder exists but cannot be trusted (truncated, edited, or from another version)."""


class IndexWriteError(RagError, OSError):
    """The index folder cannot be written (not a folder, read-only, disk full); the previous index is kept."""


class ModelError(RagError):
    """A trained model folder is missing, incomplete or damaged; retrain it with `make train`."""
