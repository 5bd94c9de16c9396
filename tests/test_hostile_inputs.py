"""Hostile inputs: the batch completes with exit 0 and every file is accounted for with a typed reason."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from docnorm.cli import app
from docnorm.sinks import ReviewItem
from tests.hostile import PROCESSED, Expect, build

pytestmark = pytest.mark.slow

BOMB_BYTES = 30_000_000


@pytest.fixture(scope="module")
def hostile(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Expect]]:
    root = tmp_path_factory.mktemp("hostile")
    inbox, out = root / "inbox", root / "out"
    expect = build(inbox, root / "outside", bomb_bytes=BOMB_BYTES)
    return inbox, out, expect


def _run(inbox: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, dict]]:
    monkeypatch.setenv("DOCNORM_MAX_DECOMPRESSED_BYTES", str(BOMB_BYTES // 2))
    monkeypatch.setenv("DOCNORM_PARSE_WORKERS", "2")
    before = set((out / "runs").glob("*.json")) if (out / "runs").exists() else set()
    result = CliRunner().invoke(app, ["run", str(inbox), "--out", str(out), "--quiet"])
    [manifest] = set((out / "runs").glob("*.json")) - before
    entries = json.loads(manifest.read_text())["inputs"]
    by_name = {str(Path(unquote(urlparse(e["source_uri"]).path)).relative_to(inbox)): e for e in entries}
    assert len(by_name) == len(entries), "two inputs reported under one name"
    return result.exit_code, by_name


@pytest.fixture(scope="module")
def first_run(hostile: tuple[Path, Path, dict[str, Expect]]) -> dict[str, dict]:
    inbox, out, _ = hostile
    with pytest.MonkeyPatch.context() as monkeypatch:
        code, entries = _run(inbox, out, monkeypatch)
    assert code == 0
    return entries


def test_every_hostile_file_is_accounted_for_exactly_once(
    hostile: tuple[Path, Path, dict[str, Expect]], first_run: dict[str, dict]
) -> None:
    _, _, expect = hostile
    assert sorted(first_run) == sorted(expect)


def test_each_hostile_file_ends_where_it_must_with_its_reason(
    hostile: tuple[Path, Path, dict[str, Expect]], first_run: dict[str, dict]
) -> None:
    _, _, expect = hostile
    wrong = {}
    for name, wanted in expect.items():
        entry = first_run[name]
        codes = [reason.split("@")[0] for reason in entry["reasons"]]
        if entry["outcome"] not in wanted.outcomes or (wanted.reason is not None and wanted.reason not in codes):
            wrong[name] = (entry["outcome"], codes)
        # Content that is text, however awkward, must get past parsing.
        if wanted.outcomes == PROCESSED and entry["stage"] == "parse":
            wrong[name] = (entry["stage"], codes)
    assert not wrong


def test_every_file_sent_to_review_has_a_queue_item(
    hostile: tuple[Path, Path, dict[str, Expect]], first_run: dict[str, dict]
) -> None:
    _, out, _ = hostile
    reviewed = {e["doc_id"] for e in first_run.values() if e["outcome"] == "review"}
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        queued = set(session.scalars(select(ReviewItem.doc_id)))
    assert reviewed and reviewed <= queued


def test_a_rerun_adds_nothing_and_queues_nothing_twice(
    hostile: tuple[Path, Path, dict[str, Expect]], first_run: dict[str, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, out, _ = hostile
    engine = create_engine(f"sqlite:///{out / 'review.db'}")
    with Session(engine) as session:
        items_before = session.scalar(select(func.count()).select_from(ReviewItem))
    parquet_before = sorted(p.name for p in (out / "curated").rglob("*.parquet"))
    code, again = _run(inbox, out, monkeypatch)
    assert code == 0
    processed_first = {name for name, e in first_run.items() if e["doc_id"] and e["outcome"] != "skipped"}
    hashed = {name for name in processed_first if again[name]["outcome"] == "skipped"}
    # Files identified by their bytes are skipped; refused entries (links, FIFOs) are refused again.
    assert all("already_processed" in again[name]["reasons"] for name in hashed)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == items_before
    assert sorted(p.name for p in (out / "curated").rglob("*.parquet")) == parquet_before


def test_a_link_out_of_the_folder_is_never_read(
    hostile: tuple[Path, Path, dict[str, Expect]], first_run: dict[str, dict]
) -> None:
    entry = first_run["link-out.txt"]
    # Its id names the path, not the target's bytes: the target was never opened.
    target = (hostile[0].parent / "outside" / "secret.txt").read_bytes()
    assert entry["doc_id"] != hashlib.sha256(target).hexdigest()
