"""The run manifest on disk: written atomically, owner-only."""

from __future__ import annotations

import json
import os
from pathlib import Path

from docnorm.schemas.run import Manifest


def write_manifest(path: Path, manifest: Manifest) -> Path:
    """Write the manifest as JSON atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2), encoding="utf-8")
    temporary.chmod(0o600)  # source paths can name people
    os.replace(temporary, path)
    return path
