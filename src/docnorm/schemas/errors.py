"""One exception tree, split by what the caller should do.

* ``ConfigError``: the user must fix a setting or a command line; fail fast, never retry.
* ``DataError``: this document cannot go further; route it to review with ``reason``.

Messages name counts, limits, field and check names, never document content,
so they are safe to log and to show in the Prefect UI.
"""

from __future__ import annotations

from typing import Any


class DocnormError(Exception):
    """Root of every error docnorm raises on purpose."""


class ConfigError(DocnormError):
    """A setting, path or command-line value is wrong; the message says what to fix."""


class ReviewConflict(DocnormError):
    """Someone else resolved or changed a review item first; reload it and decide again."""


class DataError(DocnormError):
    """A document cannot pass a stage; it goes to the review queue with ``reason`` (and the ``field`` it
    concerns, when there is one: a path such as ``amounts[0]``, never a value)."""

    stage: str = "parse"

    def __init__(self, reason: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions cross process and Prefect result boundaries; keep the typed fields.
        return (type(self), (self.reason, self.message, self.field))


class ParseError(DataError):
    """Intake or parsing failed: unreadable, unsupported, encrypted, empty or over a limit."""

    stage = "parse"


class ClassificationError(DataError):
    """The document type is unknown or ambiguous."""

    stage = "classify"


class ExtractionError(DataError):
    """No record could be extracted from a classified document."""

    stage = "extract"
