"""Inputs and curated tables on object storage, through fsspec (its in-memory file system stands in
for S3 or GCS here: same API, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fsspec
import pyarrow.dataset as ds
import pytest

from docnorm.flows.process_batch import run_flow
from docnorm.parsers.discover import discover, source_uri
from docnorm.parsers.remote import FETCHED
from docnorm.schemas.errors import ConfigError
from docnorm.settings import load_settings
from docnorm.sinks.mirror import CuratedMirror
from tests.conftest import EXAMPLES


@pytest.fixture
def bucket() -> Iterator[fsspec.AbstractFileSystem]:
    fs = fsspec.filesystem("memory")
    for path in sorted(EXAMPLES.iterdir()):
        fs.pipe(f"/bucket/incoming/{path.name}", path.read_bytes())
    fs.pipe("/bucket/incoming/.DS_Store", b"x")
    yield fs
    fs.rm("/bucket", recursive=True)
    if fs.exists("/lake"):
        fs.rm("/lake", recursive=True)


def test_a_url_input_is_fetched_and_keeps_its_url(bucket: fsspec.AbstractFileSystem, tmp_path: Path) -> None:
    found = discover(["memory://bucket/incoming/"], fetch_into=tmp_path / FETCHED)

    assert sorted(source_uri(p) for p in found.files) == sorted(
        f"memory://bucket/incoming/{p.name}" for p in EXAMPLES.iterdir()
    )
    assert [r.reasons[0].code for r in found.stopped] == ["hidden_file"]
    fetched = {p.name: p.read_bytes() for p in found.files}
    assert fetched["consulting-agreement.txt"] == (EXAMPLES / "consulting-agreement.txt").read_bytes()


def test_a_url_that_names_nothing_is_a_clear_error(bucket: fsspec.AbstractFileSystem, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no file matches: memory://bucket/nothing"):
        discover(["memory://bucket/nothing/*.pdf"], fetch_into=tmp_path / FETCHED)
    with pytest.raises(ConfigError, match="cannot open nosuchproto://"):
        discover(["nosuchproto://x/y"], fetch_into=tmp_path / FETCHED)


def test_a_run_reads_from_and_publishes_to_urls(
    prefect_api: None, bucket: fsspec.AbstractFileSystem, tmp_path: Path
) -> None:
    settings = load_settings(out_dir=tmp_path / "out", parse_workers=1, curated_url="memory://lake/curated")

    summary = run_flow(["memory://bucket/incoming/*"], settings)

    assert summary.counts["curated"] >= 10
    assert all(r.source_uri.startswith("memory://bucket/incoming/") for r in summary.results)
    local = tmp_path / "out" / "curated"
    for table in sorted(p.name for p in local.iterdir()):
        remote = ds.dataset(f"/lake/curated/{table}", filesystem=bucket, format="parquet", partitioning="hive")
        mine = ds.dataset(local / table, format="parquet", partitioning="hive")
        assert remote.to_table().sort_by("doc_id").equals(mine.to_table().sort_by("doc_id")), table
    assert not [p for p in bucket.find("/lake") if "uploading" in p], "no partial upload is left"


def test_files_a_crash_kept_from_the_mirror_are_uploaded_at_the_next_start(
    bucket: fsspec.AbstractFileSystem, tmp_path: Path
) -> None:
    local = tmp_path / "curated"
    for name in ("a", "b"):
        part = local / "contracts" / "extracted_date=2026-12-04" / f"part-{name}.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(b"PAR1 " + name.encode())
    mirror = CuratedMirror(local, "memory://lake/curated")
    assert mirror.push([local / "contracts" / "extracted_date=2026-12-04" / "part-a.parquet"]) == 1

    assert mirror.catch_up() == 1, "only the file the crash kept back"
    assert sorted(bucket.find("/lake/curated")) == [
        f"/lake/curated/contracts/extracted_date=2026-12-04/part-{n}.parquet" for n in ("a", "b")
    ]
    assert mirror.catch_up() == 0
