"""Staging and recovery: committed batches are published, uncommitted ones discarded, live runs left alone."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from docnorm.sinks import open_database
from docnorm.sinks.publish import Staging, recover


def _stage(staging: Staging, out: Path, name: str) -> Path:
    final = out / "curated" / "contracts" / name
    staged = staging.path_for(final)
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(b"rows")
    return final


def test_a_dead_runs_committed_files_are_published_and_the_rest_discarded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    engine = open_database(f"sqlite:///{out / 'review.db'}")
    dead = Staging(out, "run-a")
    committed, uncommitted = _stage(dead, out, "part-1.parquet"), _stage(dead, out, "part-2.parquet")
    with Session(engine) as session, session.begin():
        dead.commit(session, "a-00001", "run-a", [committed])
    dead._lock.close()  # the process died: its lock is gone, its folder is not

    recovered = recover(out, engine)

    assert (recovered.published, recovered.discarded) == (1, 1)
    assert committed.read_bytes() == b"rows" and not uncommitted.exists()
    assert not (out / ".staging" / "run-a").exists()


def test_a_live_runs_staging_is_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    engine = open_database(f"sqlite:///{out / 'review.db'}")
    live = Staging(out, "run-b")
    final = _stage(live, out, "part-1.parquet")

    assert recover(out, engine).discarded == 0
    assert live.path_for(final).exists()
    live.close()
    assert not (out / ".staging" / "run-b").exists()
