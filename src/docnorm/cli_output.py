"""What every command prints when it stops: one line on standard error and a meaningful exit code."""

from __future__ import annotations

import typer
from rich.console import Console

from docnorm.schemas.errors import DocnormError, ReviewConflict

errors = Console(stderr=True)


def fail(exc: DocnormError) -> typer.Exit:
    """Print the one-line error; exit 3 for a review conflict, 2 for anything the user must fix."""
    errors.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=3 if isinstance(exc, ReviewConflict) else 2)
