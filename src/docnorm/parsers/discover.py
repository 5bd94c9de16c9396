"""Expand the user's inputs (files, folders, globs) into the files to process."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from docnorm.schemas.errors import ConfigError


def discover(inputs: Iterable[str]) -> list[Path]:
    """Every file named by ``inputs``: files as given, folders recursively, globs expanded.

    Hidden files and folders (``.processing``, ``.DS_Store``, partial uploads) are left out
    of folder and glob expansion. An input that names nothing is a ConfigError, so a typo
    never silently processes an empty batch.
    """
    found: dict[Path, None] = {}
    for text in inputs:
        path = Path(text).expanduser()
        if path.is_file():
            found[path] = None
        elif path.is_dir():
            found.update(dict.fromkeys(p for p in sorted(path.rglob("*")) if p.is_file() and not _hidden(p, path)))
        else:
            matches = [Path(m) for m in sorted(glob.glob(str(path), recursive=True))]
            files = [m for m in matches if m.is_file() and not m.name.startswith(".")]
            if not files:
                raise ConfigError(f"no such file or folder, and no file matches: {text}")
            found.update(dict.fromkeys(files))
    return list(found)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
