"""Errors that name the file and the cause."""

from __future__ import annotations

from pathlib import Path


class ReportError(Exception):
    """Base error: ``str(err)`` reads "<file>: <cause>"."""

    def __init__(self, path: str | Path | None, cause: str):
        self.path = str(path) if path is not None else "<text>"
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


class ReportLoadError(ReportError):
    """The file could not be read or decoded (empty, binary, corrupt, too large, scanned pdf…)."""


class ModelError(ReportError):
    """A model file is missing, tampered with, or of an unknown version."""
