"""Statement tables: figures split over cells, period columns from the header, the reporting column."""

from __future__ import annotations

from docnorm.extractors.rules.statement_tables import PeriodColumn, layout, pick_column, scale_of, split_row
from docnorm.schemas.financial import UnitScale


def test_currency_signs_and_parentheses_in_cells_of_their_own_join_their_figure() -> None:
    row = split_row(["Interest expense", "$", "(", "1,333", ")", "", "$", "(1,200)", "", "—"])
    assert row is not None
    assert row.label == "Interest expense"
    assert row.figures == ("(1,333)", "(1,200)", "—")


def test_header_rows_give_years_and_period_lengths_per_column() -> None:
    shape = layout(
        [
            ["(Dollars in millions)", "Six months ended June 30", "Three months ended June 30"],
            ["", "2025", "2024", "2025", "2024"],
            ["Total revenues", "$", "100", "$", "90", "$", "55", "$", "50"],
        ]
    )
    assert shape is not None
    assert shape.columns == (
        PeriodColumn(2025, 6), PeriodColumn(2024, 6), PeriodColumn(2025, 3), PeriodColumn(2024, 3),
    )  # fmt: skip
    assert pick_column(shape.columns, prefer_months=3, longest=False) == 2
    assert pick_column(shape.columns, prefer_months=None, longest=True) == 0


def test_fiscal_year_headers_and_dates_with_trailing_commas_are_headers() -> None:
    shape = layout([["in millions", "February 2, 2025", "January 28, 2024"], ["Total assets", "96,119", "76,530"]])
    assert shape is not None and [c.year for c in shape.columns] == [2025, 2024]
    shape = layout([["Fiscal", "Fiscal"], ["", "2024", "2023"], ["Net sales", "159,514", "152,669"]])
    assert shape is not None and shape.columns == (PeriodColumn(2024, 12), PeriodColumn(2023, 12))


def test_scale_words() -> None:
    assert scale_of("(In millions, except per share data)") == (UnitScale.MILLIONS, "millions")
    assert scale_of("Amounts in thousands") == (UnitScale.THOUSANDS, "thousands")
    assert scale_of("Consolidated Balance Sheets")[0] is UnitScale.UNITS


def test_a_month_day_row_above_the_years_is_header_and_headings_below_open_the_body() -> None:
    shape = layout([["", "MAY 31,"], ["(In millions)", "2025", "2024"], ["ASSETS", "", ""], ["Cash", "7,464", "9,154"]])
    assert shape is not None
    assert "MAY 31" in shape.header_text and "In millions" in shape.header_text
    assert [row.label for row in shape.body] == ["ASSETS", "Cash"]
