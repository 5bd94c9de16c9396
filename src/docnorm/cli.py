"""The ``docnorm`` command line: thin commands over library functions."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docnorm.cli_doctypes import doctypes_app
from docnorm.cli_output import fail
from docnorm.cli_review import review_app
from docnorm.schemas.errors import ConfigError

if TYPE_CHECKING:
    from docnorm.eval.runner import EvalReport
    from docnorm.schemas.documents import Usage
    from docnorm.schemas.run import RunSummary

app = typer.Typer(
    name="docnorm",
    help="Turn contracts, financial statements and medical records into validated Parquet tables and review queues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold document text or PHI
)
app.add_typer(review_app, name="review")
app.add_typer(doctypes_app, name="doctypes")
console = Console(stderr=False)
errors = Console(stderr=True)

_OUTCOMES = ("curated", "review", "skipped")


@app.callback()
def _main() -> None:
    """docnorm: documents in, analytics-ready tables out; nothing is lost."""
    # Prefect's per-task INFO lines would bury progress bars and tables: the console shows warnings only,
    # while the run's logs still reach the Prefect API (a lower PREFECT_LOGGING_LEVEL would drop them).
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (searched recursively) or glob patterns.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder [default: DOCNORM_OUT_DIR or out].")
    ] = None,
    extractor: Annotated[str | None, typer.Option(help="Extractor kind (default: DOCNORM_EXTRACTOR or rules).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per micro-batch.", min=1)] = None,
    task_runner: Annotated[
        str | None, typer.Option(help="threads (default), processes or dask: where micro-batches are parsed.")
    ] = None,
    dask_address: Annotated[
        str | None, typer.Option(help="Scheduler of an existing Dask cluster (implies --task-runner dask).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Process PATHS into OUT/curated/ (Parquet) and the review queue (OUT/review.db).

    Exits 0 when the batch completed, even if documents went to review; 2 for a usage
    or configuration error.
    """
    from docnorm.doctypes.discover import registry_for
    from docnorm.flows.process_batch import run_flow
    from docnorm.flows.runners import prefect_api_url, prepare_cluster
    from docnorm.parsers.discover import absolute_input, discover
    from docnorm.parsers.remote import FETCHED
    from docnorm.progress import reporting_to
    from docnorm.settings import load_settings
    from docnorm.stages.extract import make_extractor

    try:
        # Check what the user can fix before paying for Prefect's start-up.
        settings = load_settings(
            out_dir=out,
            extractor=extractor,
            batch_size=batch_size,
            task_runner="dask" if dask_address and not task_runner else task_runner,
            dask_address=dask_address,
        )
        # Paths mean what they meant where the user typed them, in every process the run reaches.
        settings = settings.model_copy(update={"out_dir": settings.out_dir.absolute()})
        inputs = [absolute_input(str(p)) for p in paths]
        make_extractor(settings, registry_for(settings))
        found = discover(inputs, fetch_into=settings.out_dir / FETCHED)
        prepare_cluster(found.files, settings, prefect_api_url())  # workers that cannot see the inputs: exit 2
        with _progress(quiet) as hook, reporting_to(hook):
            summary: RunSummary = run_flow(inputs, settings)
    except ConfigError as exc:
        raise fail(exc) from None
    _print_summary(summary)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="The drop folder.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder [default: DOCNORM_OUT_DIR or out].")
    ] = None,
    stable_seconds: Annotated[
        float | None, typer.Option(help="Claim a file once unchanged this long [DOCNORM_WATCH_STABLE_SECONDS: 2].")
    ] = None,
    batch_files: Annotated[int | None, typer.Option(help="Files per run [DOCNORM_WATCH_BATCH_FILES: 16].")] = None,
    deployment: Annotated[
        str | None,
        typer.Option(
            help="Have this served deployment process each batch (e.g. process_batch/on-demand, from "
            "`docnorm serve`) instead of running it here."
        ),
    ] = None,  # fmt: skip
    once: Annotated[bool, typer.Option(help="Process what is in the folder now, then exit.")] = False,
) -> None:
    """Watch INBOX: claim each new file once it is stable, process it, and move it to INBOX/done/ or
    INBOX/failed/ beside a JSON receipt. Nothing is deleted; files left claimed by a crash are taken
    over at start-up; any number of watchers can share one folder. Ctrl-C stops."""
    import logging
    import signal
    import threading

    from docnorm.doctypes.discover import registry_for
    from docnorm.flows.drop_folder import run_deployment_named, run_in_process
    from docnorm.settings import load_settings
    from docnorm.watcher import watch as watch_folder

    try:
        settings = load_settings(out_dir=out, watch_stable_seconds=stable_seconds, watch_batch_files=batch_files)
        registry_for(settings)  # a broken doc-type plugin stops the watcher before it claims anything
    except ConfigError as exc:
        raise fail(exc) from None
    if not inbox.is_dir():
        raise fail(ConfigError(f"drop folder {inbox} does not exist or is not a folder")) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = run_deployment_named(deployment) if deployment else run_in_process
    # SIGTERM (systemd, docker stop, Ctrl-C's cousin) stops after the claim in progress is filed.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        totals = watch_folder(inbox, settings, runner, stop=stop, once=once)
    except KeyboardInterrupt:
        return
    console.print(f"filed: {totals.get('done', 0)} done, {totals.get('failed', 0)} failed")


@app.command()
def serve(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder [default: DOCNORM_OUT_DIR or out].")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="What the scheduled batch processes [DOCNORM_SOURCE_PATHS].")
    ] = None,
    cron: Annotated[str | None, typer.Option(help="Schedule of the batch [DOCNORM_SCHEDULE_CRON: 0 2 * * *].")] = None,
    inbox: Annotated[Path | None, typer.Option(help="A drop folder to poll every minute [DOCNORM_INBOX].")] = None,
) -> None:
    """Serve docnorm's deployments from this process until stopped: the scheduled batch, an on-demand
    batch (for `docnorm watch --deployment`), the drop folder and review sync. Runs against
    PREFECT_API_URL when set (a `prefect server`), else Prefect's ephemeral API."""
    from docnorm.doctypes.discover import registry_for
    from docnorm.flows.serve import serve_deployments
    from docnorm.settings import load_settings

    try:
        settings = load_settings(out_dir=out, source_paths=source or None, schedule_cron=cron, inbox=inbox)
        registry_for(settings)  # a broken doc-type plugin stops serving before any deployment is registered
        serve_deployments(settings)
    except ConfigError as exc:
        raise fail(exc) from None


@app.command("eval")
def eval_(
    datasets: Annotated[
        list[Path], typer.Argument(help="Folders with documents/ and gold.tsv (Kleister) or gold.jsonl.")
    ],
    extractor: Annotated[str | None, typer.Option(help="Extractor kind (default: DOCNORM_EXTRACTOR or rules).")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Score extraction on gold DATASETS: per-key and micro precision / recall / F1, and classification.

    Runs intake, parsing, classification, extraction and validation on every document and
    compares with the gold (for Kleister NDA, the dataset's own metric: upper-cased values,
    sets per key). Calibration is measured out of fold, classification k-fold; with several
    datasets, classification is also reported over all of them together.
    """
    from docnorm.doctypes.discover import registry_for
    from docnorm.eval.classification import Labelled
    from docnorm.eval.classification import kfold as classification_kfold
    from docnorm.eval.metrics import combine_confusion
    from docnorm.eval.runner import evaluate
    from docnorm.settings import load_settings

    reports = []
    try:
        settings = load_settings(extractor=extractor)
        registry = registry_for(settings)
        for dataset in datasets:
            with _progress(quiet) as hook:
                reports.append(evaluate(dataset, settings, progress=hook, registry=registry))
    except ConfigError as exc:
        raise fail(exc) from None
    for report in reports:
        _print_report(report)
    combined = combine_confusion([r.confusion for r in reports])
    labelled = [Labelled(f"{r.dataset}/{d.file}", d.doc_type, d.cue_scores) for r in reports for d in r.documents]
    kfold = classification_kfold(labelled)
    if len(reports) > 1:
        _print_confusion(combined)
    console.print(
        f"classification, {kfold.measured}: {kfold.right} right, {kfold.wrong} wrong type, {kfold.unknown} unknown "
        f"of {kfold.n} ({kfold.accuracy:.3f})"
    )
    if json_file is not None:
        from docnorm.eval.plot import reliability_png

        json_file.parent.mkdir(parents=True, exist_ok=True)
        if len(reports) == 1:
            report = reports[0]
            json_file.write_text(report.model_dump_json(indent=2), encoding="utf-8")
            plot = reliability_png(
                report.calibration, json_file.with_suffix(".png"), f"{report.extractor} on {report.dataset}"
            )
            console.print(f"scores written to {json_file}, reliability plot to {plot}")
        else:
            payload = {
                "reports": [r.model_dump(mode="json") for r in reports],
                "classification": combined,
                "classification_kfold": kfold.model_dump(),
            }
            json_file.write_text(json.dumps(payload, indent=2), encoding="utf-8")
            console.print(f"scores written to {json_file}")


def _print_report(report: EvalReport) -> None:
    table = Table(title=f"{report.extractor} on {report.dataset} ({report.n_docs} documents, {report.layout} layout)")
    for column in ("key", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "key" else "right")
    rows = [*report.per_key.items(), *((f"[italic]{name} (micro)", score) for name, score in report.groups.items())]
    for key, score in rows:
        table.add_row(key, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.support))
    micro = report.micro
    table.add_row("[bold]micro", f"[bold]{micro.precision:.3f}", f"[bold]{micro.recall:.3f}", f"[bold]{micro.f1:.3f}",
                  f"[bold]{micro.support}")  # fmt: skip
    console.print(table)
    console.print(f"classification accuracy: {report.classification_accuracy:.3f}")
    console.print(f"documents that failed before extraction: {report.failures} {report.failure_reasons or ''}")
    if report.usage.calls:
        console.print(f"LLM usage: {_usage_line(report.usage)}")
    c = report.calibration
    if c.n:
        console.print(
            f"calibration, {c.measured}: ECE {c.ece:.3f} over {c.n} values; at confidence < {c.threshold}: "
            f"{c.errors_caught:.0%} of errors caught, {c.correct_flagged:.0%} of correct values sent to review"
        )


def _print_confusion(confusion: dict[str, dict[str, int]]) -> None:
    chosen = sorted({name for row in confusion.values() for name in row})
    table = Table(title="classification over all datasets (rows: gold doc type, columns: chosen)")
    table.add_column("gold")
    for name in chosen:
        table.add_column(name, justify="right")
    total = correct = 0
    for gold, row in sorted(confusion.items()):
        table.add_row(gold, *(str(row.get(name, 0)) for name in chosen))
        total += sum(row.values())
        correct += row.get(gold, 0)
    console.print(table)
    console.print(f"classification accuracy over all datasets: {correct / total:.3f} ({correct} of {total})")


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


def _print_summary(summary: RunSummary) -> None:
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
    if summary.usage.calls:
        console.print(f"LLM usage:      {_usage_line(summary.usage)}")


def _usage_line(usage: Usage) -> str:
    return (
        f"{usage.calls} call(s), {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, "
        f"cost {usage.cost_usd}"
    )


def main() -> None:
    """Entry point of the ``docnorm`` script."""
    app()


if __name__ == "__main__":
    main()
