"""The ``docnorm`` command line: thin commands over library functions."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docnorm.schemas.errors import ConfigError

app = typer.Typer(
    name="docnorm",
    help="Turn contracts, financial statements and medical records into validated Parquet tables and review queues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold document text or PHI
)
console = Console(stderr=False)
errors = Console(stderr=True)

_OUTCOMES = ("curated", "review", "skipped")


@app.callback()
def _main() -> None:
    """docnorm: documents in, analytics-ready tables out; nothing is lost."""


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (searched recursively) or glob patterns.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder [default: DOCNORM_OUT_DIR or out].")
    ] = None,
    extractor: Annotated[str | None, typer.Option(help="Extractor kind (default: DOCNORM_EXTRACTOR or rules).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per micro-batch.", min=1)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Process PATHS into OUT/curated/ (Parquet) and the review queue (OUT/review.db).

    Exits 0 when the batch completed, even if documents went to review; 2 for a usage
    or configuration error.
    """
    # Prefect's per-task INFO lines would bury the progress bar; the UI keeps them.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from docnorm.extractors import build_extractor
    from docnorm.flows.process_batch import RunSummary, process_batch
    from docnorm.parsers.discover import discover
    from docnorm.progress import reporting_to
    from docnorm.settings import load_settings

    try:
        # Check what the user can fix before paying for Prefect's start-up.
        settings = load_settings(out_dir=out, extractor=extractor, batch_size=batch_size)
        build_extractor(settings.extractor, {})
        discover(paths)
        with _progress(quiet) as hook, reporting_to(hook):
            summary: RunSummary = process_batch(
                [str(p) for p in paths], out_dir=str(settings.out_dir), extractor=extractor, batch_size=batch_size
            )
    except ConfigError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    _print_summary(summary)


class _Bar:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = progress.add_task("documents", total=None) if progress else None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)


class _progress:
    def __init__(self, quiet: bool) -> None:
        self._progress = None if quiet or not sys.stderr.isatty() else Progress(
            TextColumn("[bold]processing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=errors, transient=True,
        )  # fmt: skip

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return _Bar(self._progress)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _print_summary(summary: object) -> None:
    from docnorm.flows.process_batch import RunSummary

    assert isinstance(summary, RunSummary)
    table = Table(title="Documents by type and outcome")
    table.add_column("doc type")
    for outcome in (*_OUTCOMES, "total"):
        table.add_column(outcome, justify="right")
    for doc_type, counts in summary.by_type.items():
        table.add_row(doc_type, *(str(counts.get(o, 0)) for o in _OUTCOMES), str(sum(counts.values())))
    table.add_row(
        "[bold]all", *(f"[bold]{summary.counts.get(o, 0)}" for o in _OUTCOMES), f"[bold]{sum(summary.counts.values())}"
    )
    console.print(table)
    out = Path(summary.out_dir)
    console.print(f"curated tables: {out / 'curated'}/<table>/  (Parquet)")
    console.print(f"review queue:   {summary.review_url}")
    console.print(f"run manifest:   {summary.manifest}")


def main() -> None:
    """Entry point of the ``docnorm`` script."""
    app()


if __name__ == "__main__":
    main()
