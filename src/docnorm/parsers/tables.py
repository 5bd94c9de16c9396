"""Turn unstructured's ``text_as_html`` into rows of cell texts."""

from __future__ import annotations

from html.parser import HTMLParser


class _TableCells(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_table_cells(html: str) -> list[list[str]]:
    """Rows of cell texts of the first-level table in ``html`` (empty rows dropped)."""
    parser = _TableCells()
    parser.feed(html)
    parser.close()
    return [row for row in parser.rows if any(row)]
