"""Inputs named by fsspec URLs (``s3://bucket/incoming/``, ``gcs://…``, ``memory://…``): fetched into a
local folder that mirrors the remote layout, then discovered like local files. A file fetched there
keeps its URL as its source_uri.
"""

from __future__ import annotations

import glob
import os
import uuid
from pathlib import Path
from typing import Any

from docnorm.files import private_folder
from docnorm.schemas.errors import ConfigError

FETCHED = ".docnorm-fetched"
"""The folder (under the output folder) that mirrors remote inputs as <protocol>/<path>."""


def is_url(text: str) -> bool:
    """Whether an input names a remote file system (``file://`` is a local path)."""
    return "://" in text and not text.startswith("file://")


def remote_uri(path: Path) -> str | None:
    """The URL a fetched file came from, or None for a local file."""
    parts = path.parts
    if FETCHED not in parts:
        return None
    at = len(parts) - 1 - parts[::-1].index(FETCHED)
    if len(parts) < at + 3:
        return None
    return f"{parts[at + 1]}://{'/'.join(parts[at + 2 :])}"


def fetch(url: str, into: Path) -> Path:
    """Copy what ``url`` names (a file, a folder and everything under it, or a glob) into the mirror
    under ``into``; return the local path that stands for ``url`` there. Files whose size is unchanged
    since an earlier fetch are not copied again."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package is not installed
        raise ConfigError(f"cannot open {_scheme(url)}:// inputs: {exc}") from None
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    local_root = into / protocol
    try:
        found: dict[str, dict[str, Any]]
        if glob.has_magic(path):
            found = {p: i for p, i in fs.glob(path, detail=True).items() if i.get("type") == "file"}
        elif fs.isdir(path):
            found = fs.find(path, detail=True)
        elif fs.isfile(path):
            found = {path: fs.info(path)}
        else:
            found = {}
    except OSError as exc:
        raise ConfigError(f"cannot list {_scheme(url)}:// input ({type(exc).__name__})") from None
    if not found:
        raise ConfigError(f"no such file or folder, and no file matches: {url}")
    for remote, info in found.items():
        local = local_root / remote.lstrip("/")
        if local.is_file() and local.stat().st_size == info.get("size"):
            continue
        private_folder(local.parent)  # copies of documents: owner-only, like the curated tables
        partial = local.with_name(f".{local.name}.{uuid.uuid4().hex[:8]}.part")
        fs.get_file(remote, str(partial))
        partial.chmod(0o600)
        os.replace(partial, local)
    return Path(local_root) / str(path).lstrip("/")


def _scheme(url: str) -> str:
    return url.split("://", 1)[0]
