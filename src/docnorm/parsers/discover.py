"""Expand the user's inputs (files, folders, globs) into the files to process, accounting for the rest."""

from __future__ import annotations

import glob
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docnorm.parsers.remote import fetch, is_url, remote_uri
from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.schemas.errors import ConfigError

PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", "~")
"""Names that uploaders and editors give files still being written."""


@dataclass
class Discovered:
    """The files to process, and a result for every other entry found (nothing vanishes unaccounted)."""

    files: list[Path] = field(default_factory=list)
    stopped: list[DocumentResult] = field(default_factory=list)


def source_uri(path: Path) -> str:
    """The URI an input is known by: its URL when it was fetched from one, else its file URI (absolute,
    ``..`` folded, links not resolved: a link keeps its own name)."""
    absolute = Path(os.path.abspath(path))
    return remote_uri(absolute) or absolute.as_uri()


def path_id(path: Path) -> str:
    """The id of an input whose bytes cannot (or must not) be read: a hash of where it is."""
    return hashlib.sha256(b"docnorm-path:" + source_uri(path).encode()).hexdigest()


def absolute_input(text: str) -> str:
    """An input as it means the same in every process: URLs as given, paths absolute (links kept)."""
    if is_url(text) or text.startswith("file://"):
        return text
    return os.path.abspath(os.path.expanduser(text))


def discover(inputs: Iterable[str], fetch_into: Path | None = None) -> Discovered:
    """Every file named by ``inputs``: files as given, folders recursively, globs expanded.

    An fsspec URL (``s3://bucket/incoming/``) is fetched into ``fetch_into`` first (see
    docnorm.parsers.remote), then treated like the local files it became.

    Within a folder or glob, hidden entries (``.processing/``, ``.DS_Store``) and partial uploads
    (``*.part``, ``*.tmp``, ``*~``) are skipped with a reason; symbolic links are never followed out
    of the folder: such a link, a broken one, or a FIFO or device goes to review. An input that
    names nothing is a ConfigError, so a typo never silently processes an empty batch.
    """
    found = Discovered()
    seen: set[Path] = set()

    def add(path: Path, root: Path | None) -> None:
        if path in seen:
            return
        seen.add(path)
        result = _refusal(path, root)
        if result is None:
            found.files.append(path)
        else:
            found.stopped.append(result)

    for text in inputs:
        if is_url(text):
            if fetch_into is None:
                raise ConfigError(f"{text}: URL inputs need an output folder to fetch them into")
            text = str(fetch(text, fetch_into))
        elif text.startswith("file://"):
            text = text.removeprefix("file://")
        path = Path(absolute_input(text))
        if path.is_dir():
            for entry in _walk(path):
                add(entry, path)
        elif path.is_file():
            add(path, None)  # named explicitly: the user chose it, links included
        else:
            base = _glob_base(path)
            matches = [Path(m) for m in sorted(glob.glob(str(path), recursive=True))]
            entries = [m for m in matches if not m.is_dir()]
            if not entries:
                raise ConfigError(f"no such file or folder, and no file matches: {text}")
            for entry in entries:
                add(entry, base)
    return found


def _walk(root: Path) -> Iterable[Path]:
    """Every non-directory entry under ``root``, not descending into hidden or linked folders."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        linked = [d for d in dirs if (here / d).is_symlink()]
        dirs[:] = [d for d in dirs if d not in linked]
        yield from (here / d for d in linked)
        yield from (here / f for f in sorted(files))


def _refusal(path: Path, root: Path | None) -> DocumentResult | None:
    """Why ``path`` is not processed, or None when it is a regular file docnorm may read."""
    name = path.name
    if root is not None and name.startswith("."):
        return _skipped(path, "hidden_file", "hidden files are not inputs")
    if root is not None and name.endswith(PARTIAL_SUFFIXES):
        return _skipped(path, "incomplete_upload", "the name marks a file still being written")
    if root is not None and path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _refused(path, "unreadable", "broken symbolic link")
        if not target.is_relative_to(root.resolve()):
            return _refused(path, "symlink_outside_input", "symbolic link points outside the input folder")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return _refused(path, "unreadable", f"cannot read file ({type(exc).__name__})")
    if stat.S_ISDIR(mode):
        return _skipped(path, "linked_folder", "linked folders are not followed")
    if not stat.S_ISREG(mode):
        return _refused(path, "not_regular_file", "a FIFO, socket or device is not a document")
    return None


def _skipped(path: Path, code: str, message: str) -> DocumentResult:
    return DocumentResult(
        source_uri=source_uri(path),
        outcome=Outcome.SKIPPED,
        reasons=[Reason(code=code, message=message)],
    )


def _refused(path: Path, code: str, message: str) -> DocumentResult:
    return DocumentResult(
        source_uri=source_uri(path),
        doc_id=path_id(path),
        outcome=Outcome.REVIEW,
        stage=Stage.PARSE,
        reasons=[Reason(code=code, message=message)],
    )


def _glob_base(pattern: Path) -> Path:
    """The folder a glob searches: its longest prefix without wildcards."""
    parts: list[str] = []
    for part in pattern.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")
