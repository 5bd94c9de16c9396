"""``docnorm review``: work the review queue from the command line."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from docnorm.cli_output import errors, fail
from docnorm.schemas.errors import ConfigError, DocnormError

review_app = typer.Typer(
    help="Work the review queue: list, show, approve, correct, reject, sync, export; serve the workbench."
)
users_app = typer.Typer(help="Reviewer accounts of the workbench.")
review_app.add_typer(users_app, name="users")
# Piped output (scripts, logs) gets wide lines instead of reason codes folded mid-word.
console = Console(width=None if sys.stdout.isatty() else 160)

OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder whose review.db to use [default: DOCNORM_OUT_DIR or out]."),
]
ReviewerOption = Annotated[str | None, typer.Option(help="Your name, recorded on the item [default: login name].")]


def _queue(out: Path | None) -> Any:
    from docnorm.doctypes.discover import registry_for
    from docnorm.review_queue import ReviewQueue
    from docnorm.settings import load_settings
    from docnorm.validators.options import ValidationOptions

    settings = load_settings(out_dir=out)
    options = ValidationOptions(settings.balance_tolerance)
    return ReviewQueue.open(settings.review_database_url, options, registry_for(settings)), settings


def _reviewer(name: str | None) -> str:
    return name or getpass.getuser()


@review_app.command("list")
def list_(
    out: OutOption = None,
    status: Annotated[str, typer.Option(help="pending, approved, corrected, rejected or all.")] = "pending",
    stage: Annotated[str | None, typer.Option(help="parse, classify, extract or validate.")] = None,
    doc_type: Annotated[str | None, typer.Option(help="contract, financial_statement, medical_record.")] = None,
    reason: Annotated[str | None, typer.Option(help="A reason code, e.g. balance_sheet_balances.")] = None,
) -> None:
    """Items with their ids, types, stages and reason codes (never field values), and counts per queue."""
    try:
        queue, _ = _queue(out)
        items = queue.items(status=None if status == "all" else status, stage=stage, doc_type=doc_type, reason=reason)
    except DocnormError as exc:
        raise fail(exc) from None
    table = Table(title=f"Review items ({status})")
    for column in ("id", "doc_id", "doc type", "stage", "status", "reasons", "age"):
        table.add_column(column)
    now = datetime.now(UTC)
    for item in items:
        created = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=UTC)
        age = now - created
        table.add_row(
            str(item.id), item.doc_id[:12], item.doc_type or "unknown", item.stage, item.status,
            ", ".join(sorted({r["code"] for r in item.reasons})), f"{age.days}d {age.seconds // 3600}h",
        )  # fmt: skip
    console.print(table)
    counts = queue.counts(status=None if status == "all" else status)
    console.print("by queue: " + (", ".join(f"{s}/{t}: {n}" for (s, t), n in sorted(counts.items())) or "empty"))


@review_app.command()
def show(
    item_id: Annotated[int, typer.Argument(help="The item id from `review list`.")], out: OutOption = None
) -> None:
    """One item in full: reasons, every extracted value with its evidence quote and page, the source path."""
    try:
        queue, _ = _queue(out)
        item = queue.get(item_id)
    except DocnormError as exc:
        raise fail(exc) from None
    console.print(
        f"[bold]item {item.id}[/bold] v{item.version}  {item.status}  stage={item.stage}  type={item.doc_type}"
    )
    console.print(f"source: {item.source_uri}\ndoc_id: {item.doc_id}")
    for r in item.reasons:
        console.print(f"  reason {r['code']}" + (f" [{r['field']}]" if r.get("field") else "") + f": {r['message']}")
    if item.record is not None:
        table = Table(title="values and evidence")
        for column in ("field", "value", "quote", "page"):
            table.add_column(column, overflow="fold")
        for path, value, evidence in _values(item.record, ""):
            quote = (evidence or {}).get("quote") or ""
            table.add_row(path, str(value), quote[:80], str((evidence or {}).get("page") or ""))
        console.print(table)
    if item.corrections:
        console.print(f"corrections: {json.dumps(item.corrections)}")


def _values(node: Any, path: str) -> list[tuple[str, Any, dict[str, Any] | None]]:
    if isinstance(node, dict) and "value" in node and set(node) <= {"value", "evidence"}:
        return [(path, node["value"], node.get("evidence"))]
    if isinstance(node, dict):
        rows: list[tuple[str, Any, dict[str, Any] | None]] = []
        scalars = {k: v for k, v in node.items() if k != "evidence" and not isinstance(v, dict | list)}
        if "evidence" in node and scalars:
            rows.append((path, ", ".join(f"{k}={v}" for k, v in scalars.items() if v is not None), node["evidence"]))
        for key, value in node.items():
            if key != "evidence" and isinstance(value, dict | list):
                rows.extend(_values(value, f"{path}.{key}" if path else key))
            elif key != "evidence" and "evidence" not in node and value is not None:
                rows.append((f"{path}.{key}" if path else key, value, None))
        return rows
    if isinstance(node, list):
        return [row for i, item in enumerate(node) for row in _values(item, f"{path}.{i}")]
    return []


@review_app.command()
def approve(item_id: int, out: OutOption = None, reviewer: ReviewerOption = None) -> None:
    """Accept the extracted record as it is; `review sync` then writes it to the curated tables."""
    try:
        queue, _ = _queue(out)
        item = queue.approve(item_id, _reviewer(reviewer))
    except DocnormError as exc:
        raise fail(exc) from None
    console.print(f"item {item.id} approved by {item.reviewer}")


@review_app.command()
def correct(
    item_id: int,
    sets: Annotated[list[str], typer.Option("--set", help="field=value; dotted paths, list items by number.")],
    out: OutOption = None,
    reviewer: ReviewerOption = None,
) -> None:
    """Correct fields and validate again: corrected when every check passes, else still pending (exit 1)."""
    changes = {}
    for pair in sets:
        path, sep, value = pair.partition("=")
        if not sep or not path:
            raise fail(ConfigError(f"--set {pair!r}: write it as field=value"))
        changes[path.strip()] = value
    try:
        queue, _ = _queue(out)
        item, reasons = queue.correct(item_id, changes, _reviewer(reviewer))
    except DocnormError as exc:
        raise fail(exc) from None
    if reasons:
        console.print(f"item {item.id} still fails; it stays pending:")
        for r in reasons:
            console.print(f"  {r.code}" + (f" [{r.field}]" if r.field else "") + f": {r.message}")
        raise typer.Exit(code=1)
    console.print(f"item {item.id} corrected by {item.reviewer}; run `docnorm review sync` to re-ingest it")


@review_app.command()
def reject(
    item_id: int,
    reason: Annotated[str, typer.Option("--reason", help="Why the document stays out.")],
    out: OutOption = None,
    reviewer: ReviewerOption = None,
) -> None:
    """Keep the document out of the curated tables, with a reason."""
    try:
        queue, _ = _queue(out)
        item = queue.reject(item_id, _reviewer(reviewer), reason)
    except DocnormError as exc:
        raise fail(exc) from None
    console.print(f"item {item.id} rejected by {item.reviewer}")


@review_app.command()
def sync(out: OutOption = None) -> None:
    """Re-ingest approved and corrected records into the curated tables (exactly once), via the review_sync flow."""
    from docnorm.flows.review_sync import review_sync

    try:
        _, settings = _queue(out)
        done = review_sync(out_dir=str(settings.out_dir))
    except DocnormError as exc:
        raise fail(exc) from None
    console.print(f"re-ingested {len(done.synced)} item(s): {', '.join(map(str, done.synced)) or 'none'}")
    if done.failed:
        # Exit 0: the others synced; these are back in the queue with the reason, for a reviewer.
        console.print(
            f"{len(done.failed)} item(s) could not be written and are pending again (write_failed): "
            f"{', '.join(map(str, done.failed))}"
        )


@review_app.command()
def serve(
    out: OutOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (this machine only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
) -> None:
    """Serve the review workbench: the queue in a browser, the document beside its fields, many reviewers.

    Reviewers sign in with accounts made by `docnorm review users add NAME`. Ctrl-C stops.
    """
    import uvicorn

    from docnorm.doctypes.discover import registry_for
    from docnorm.settings import load_settings
    from docnorm.workbench.app import create_app

    try:
        settings = load_settings(out_dir=out)
        app = create_app(settings, registry_for(settings))
    except DocnormError as exc:
        raise fail(exc) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        errors.print("[yellow]warning:[/yellow] serving beyond this machine: put HTTPS in front of it (pages hold PHI)")
    errors.print(f"review workbench at http://{host}:{port}/  (accounts: docnorm review users add NAME)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The reviewer's sign-in name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input instead of generating one.")
    ] = False,
    out: OutOption = None,
) -> None:
    """Add a reviewer; a generated password is printed once (it is stored only as an argon2 hash)."""
    from docnorm.settings import load_settings
    from docnorm.sinks import open_database
    from docnorm.workbench.accounts import add_reviewer, generate_password

    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        add_reviewer(open_database(load_settings(out_dir=out).review_database_url), name, password)
    except DocnormError as exc:
        raise fail(exc) from None
    if password_stdin:
        console.print(f"reviewer {name} added")
    else:
        console.print(f"reviewer {name} added; password (shown once, keep it): {password}")


@review_app.command()
def export(
    output: Annotated[Path, typer.Argument(help="File (parquet/jsonl) or folder (gold) to write.")],
    format: Annotated[str, typer.Option("--format", help="parquet, jsonl, or gold (an eval dataset).")] = "jsonl",
    status: Annotated[str, typer.Option(help="Items with this status, or all.")] = "all",
    out: OutOption = None,
) -> None:
    """Export the queue (parquet, jsonl) or the resolved records as a gold set for `docnorm eval` (gold)."""
    try:
        queue, _ = _queue(out)
        if format == "gold":
            count = queue.export_gold(output)
        elif format in ("parquet", "jsonl"):
            rows = queue.export_rows(status=None if status == "all" else status)
            _write_rows(output, rows, format)
            count = len(rows)
        else:
            raise ConfigError(f"--format {format!r}: choose parquet, jsonl or gold")
    except DocnormError as exc:
        raise fail(exc) from None
    console.print(f"exported {count} item(s) to {output}")


def _write_rows(path: Path, rows: list[dict[str, Any]], format: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "jsonl":
        path.write_text("".join(json.dumps(row, default=str) + "\n" for row in rows), encoding="utf-8")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [(name, pa.int64() if name == "id" else pa.timestamp("us", tz="UTC") if name.endswith("_at") else pa.string())
         for name in ("id", "doc_id", "source_uri", "doc_type", "stage", "status", "reasons", "record", "corrections",
                      "reviewer", "resolution_note", "created_at", "reviewed_at")]
    )  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
