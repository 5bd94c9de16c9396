"""Party names in one canonical legal form, for joining the same company across documents."""

from __future__ import annotations

import pytest

from docnorm.schemas.names import canonical_name


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("Kite Pharma, Inc.", "Kite Pharma Inc."),
        ("Kite Pharma Inc", "Kite Pharma Inc."),
        ("Leonard Green & Partners, L.P.", "Leonard Green and Partners LP"),
        ("Escalade, Incorporated", "Escalade Inc."),
        ("Z Capital Partners, L.L.C.", "Z Capital Partners LLC"),
        ("Beta Tools, LLC.", "Beta Tools LLC"),
        ("Acme Holdings Limited", "Acme Holdings Ltd."),
        ("Mr. John  Smith", "John Smith"),
        ("Maher Albitar, M.D.", "Maher Albitar"),
        ("Colt’s Manufacturing Company LLC", "Colt's Manufacturing Company LLC"),
        ("Intel Corporation", "Intel Corporation"),
    ],
)
def test_printed_names_meet_in_one_form(printed: str, canonical: str) -> None:
    assert canonical_name(printed) == canonical


def test_the_form_is_stable() -> None:
    for name in ("Kite Pharma, Inc.", "Leonard Green & Partners, L.P.", "Dr. Jane Roe, Ph.D."):
        assert canonical_name(canonical_name(name)) == canonical_name(name)
