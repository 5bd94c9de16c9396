"""Knobs of the validation checks, taken from settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationOptions:
    """Tolerances the table checks use."""

    balance_tolerance: float = 0.01
