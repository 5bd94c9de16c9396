"""Curated Parquet published to object storage (any fsspec URL) as well as to out_dir/curated.

A file appears under the URL whole or not at all: it is uploaded under a name readers skip (a
leading ``_``, as pyarrow, DuckDB and Spark do) and then moved to its final name. The local tables
stay the source of truth: at the start of every run, files a crash kept from being mirrored are
uploaded, so the remote copy converges to exactly the local one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from docnorm.schemas.errors import ConfigError

log = logging.getLogger("docnorm")


class CuratedMirror:
    """Mirror of the files under ``local_root`` at ``url``."""

    def __init__(self, local_root: Path, url: str) -> None:
        import fsspec

        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise ConfigError(f"setting curated_url (DOCNORM_CURATED_URL): cannot open it: {exc}") from None
        self.root = root.rstrip("/")
        self.local_root = local_root

    def _remote(self, path: Path) -> str:
        return f"{self.root}/{path.relative_to(self.local_root).as_posix()}"

    def push(self, files: Iterable[Path]) -> int:
        """Upload ``files`` (under the local root) that are not at the URL yet; returns how many."""
        uploaded = 0
        for path in files:
            remote = self._remote(path)
            if self.fs.exists(remote):
                continue
            folder, name = remote.rsplit("/", 1)
            partial = f"{folder}/_{uuid.uuid4().hex[:8]}.{name}.uploading"
            self.fs.makedirs(folder, exist_ok=True)
            self.fs.put_file(str(path), partial)
            self.fs.mv(partial, remote)
            uploaded += 1
        return uploaded

    def catch_up(self) -> int:
        """Upload every local curated file the URL lacks (after a crash between publish and upload)."""
        if not self.local_root.is_dir():
            return 0
        there = set(self.fs.find(self.root)) if self.fs.exists(self.root) else set()
        missing = [p for p in sorted(self.local_root.rglob("*.parquet"))
                   if not p.name.startswith(".") and self._remote(p) not in there]  # fmt: skip
        uploaded = self.push(missing)
        if uploaded:
            log.warning("mirrored %d curated file(s) an interrupted run had not uploaded", uploaded)
        return uploaded
