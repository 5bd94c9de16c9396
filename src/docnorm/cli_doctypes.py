"""``docnorm doctypes``: which kinds of document this installation knows, and what each one writes."""

from __future__ import annotations

import re
import sys
from typing import Annotated, Any, get_origin

import typer
from rich.console import Console
from rich.table import Table

from docnorm.cli_output import fail
from docnorm.schemas.errors import ConfigError

doctypes_app = typer.Typer(help="The doc types docnorm knows: built-in, installed plugins and DOCNORM_DOCTYPES.")
console = Console(width=None if sys.stdout.isatty() else 160)


def _registry() -> Any:
    from docnorm.doctypes.discover import registry_for
    from docnorm.settings import load_settings

    try:
        return registry_for(load_settings())
    except ConfigError as exc:
        raise fail(exc) from None


@doctypes_app.command("list")
def list_() -> None:
    """One line per doc type: name, where it came from, its tables and whether rules can read it offline."""
    from docnorm.validators.options import ValidationOptions

    table = Table("doc type", "origin", "tables", "rules", "cues", "description")
    for column in table.columns[:2]:
        column.no_wrap = True  # names and origins stay greppable
    for spec in _registry():
        names = ", ".join(t.name for t in spec.tables(ValidationOptions()))
        table.add_row(spec.name, spec.origin, names, "yes" if spec.rules else "no", str(len(spec.cues)),
                      spec.description[:60])  # fmt: skip
    console.print(table)


@doctypes_app.command()
def show(name: Annotated[str, typer.Argument(help="A doc type, as `docnorm doctypes list` names it.")]) -> None:
    """Fields, the curated tables with their Arrow schemas and checks, the cues, and where it came from."""
    from docnorm.doctypes.registry import check_name
    from docnorm.schemas.tables import LINEAGE_COLUMNS
    from docnorm.validators.options import ValidationOptions

    registry = _registry()
    try:
        spec = registry[name]
    except ConfigError as exc:
        raise fail(exc) from None
    console.print(f"[bold]{spec.name}[/bold]  {spec.description}", highlight=False)
    console.print(f"origin: {spec.origin}" + (f"  ({spec.ref})" if spec.ref else ""), highlight=False)
    console.print(f"model: {spec.declared.__module__}.{spec.declared.__qualname__}", highlight=False)
    fields = Table("field", "type", "required", "description", title="fields")
    for field_name, info in spec.declared.model_fields.items():
        if field_name != "evidence":
            fields.add_row(field_name, _type_name(info.annotation), "yes" if info.is_required() else "",
                           info.description or "")  # fmt: skip
    console.print(fields)
    lineage = ", ".join(column for column, _ in LINEAGE_COLUMNS)
    for table in spec.tables(ValidationOptions()):
        columns = Table("column", "Arrow type", "checks", title=f"table {table.name}", title_justify="left")
        for column in table.columns:
            checks = [check_name(c) for c in column.checks] + (["required"] if column.required else [])
            columns.add_row(column.name, str(column.type), ", ".join(checks))
        console.print(columns)
        if table.checks:
            console.print("  table checks: " + ", ".join(check_name(c) for c in table.checks), highlight=False)
    console.print(f"every table also has the lineage columns: {lineage}", highlight=False)
    if spec.record_checks:
        console.print("record checks: " + ", ".join(check_name(c) for c in spec.record_checks), highlight=False)
    cues = ", ".join(cue.name for cue in spec.cues) or "none (only a model can recognise this kind: llm or hybrid)"
    console.print(f"cues: {cues}", highlight=False)
    console.print(f"rules: {'yes' if spec.rules else 'no (extract with --extractor llm or hybrid)'}", highlight=False)


def _type_name(annotation: Any) -> str:
    """``str | None``, ``list[LineItem]``: the annotation as written, without module paths."""
    if isinstance(annotation, type) and get_origin(annotation) is None:
        return annotation.__name__
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+(\w+)", r"\1", str(annotation))
