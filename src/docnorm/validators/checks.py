"""Reusable pandera checks. Each has a stable name: that name is the reason code in the review queue."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa
import pycountry


@cache
def _iso_currencies() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def iso4217() -> pa.Check:
    """Currency codes must be active ISO-4217 codes."""
    return pa.Check(
        lambda s: s.isna() | s.isin(_iso_currencies()), name="currency_iso4217", error="not an ISO-4217 currency code"
    )


def icd10cm_exists() -> pa.Check:
    """Diagnosis codes must exist in the ICD-10-CM code set (shipped by simple-icd-10-cm)."""

    def exists(codes: pd.Series) -> pd.Series:
        import simple_icd_10_cm as icd

        return codes.map(lambda code: pd.isna(code) or bool(icd.is_valid_item(str(code)))).astype(bool)

    return pa.Check(exists, name="icd10cm_code_exists", error="code is not in the ICD-10-CM code set")


def positive() -> pa.Check:
    """Counts such as term months must be positive."""
    return pa.Check(lambda s: s.isna() | (s > 0), name="positive", error="must be greater than zero")


def not_negative() -> pa.Check:
    """Counts such as notice days cannot be negative."""
    return pa.Check(lambda s: s.isna() | (s >= 0), name="not_negative", error="must not be negative")


def date_parses(date_column: str) -> pa.Check:
    """A date quoted in the document must name a real calendar date."""
    quote = f"{date_column}_text"
    return pa.Check(
        lambda df: df[quote].isna() | df[date_column].notna(),
        name="date_parses",
        error=f"{date_column}: quoted date is not a real calendar date",
    )


def ordered(earlier: str, later: str) -> pa.Check:
    """Two dates, when both are known, must be in order."""
    return pa.Check(
        lambda df: df[earlier].isna() | df[later].isna() | (df[earlier] <= df[later]),
        name="dates_ordered",
        error=f"{earlier} must not be after {later}",
    )


def within(tolerance: float, expected: pd.Series, actual: pd.Series) -> pd.Series:
    """True where |expected - actual| ≤ tolerance × max(|expected|, 1), or either is missing."""
    gap = (expected - actual).abs()
    scale = expected.abs().clip(lower=1.0)
    return expected.isna() | actual.isna() | (gap <= tolerance * scale)
