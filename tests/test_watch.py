"""``docnorm watch`` end to end: real watcher processes on one drop folder, a slow upload, a burst of
files, and a claim left behind by a watcher that died."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docnorm.dropfolder import DropFolder
from docnorm.flows.drop_folder import run_in_process
from docnorm.parsers import document_id
from docnorm.settings import load_settings
from docnorm.sinks import ReviewItem
from docnorm.sinks.ledger import ProcessedDocument
from docnorm.watcher import watch
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


def _receipts(inbox: Path) -> dict[str, dict]:
    return {
        p.name.removesuffix(".receipt.json"): {**json.loads(p.read_text()), "folder": p.parent.name}
        for folder in ("done", "failed")
        for p in (inbox / folder).glob("*.receipt.json")
    }


def _slow_upload(target: Path, content: bytes, pieces: int = 6, pause: float = 0.5) -> None:
    """Write ``content`` in pieces, pausing under the watchers' stability interval between them."""
    with target.open("wb") as handle:
        for n in range(pieces):
            handle.write(content[n * len(content) // pieces : (n + 1) * len(content) // pieces])
            handle.flush()
            time.sleep(pause)


def test_two_watchers_file_every_dropped_file_exactly_once(prefect_api: None, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "DOCNORM_PARSE_WORKERS": "1"}
    command = [sys.executable, "-m", "docnorm.cli", "watch", str(inbox), "--out", str(out),
               "--stable-seconds", "1.5", "--batch-files", "4"]  # fmt: skip
    watchers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        # A slow upload, written in place with pauses shorter than the stability interval.
        slow_content = (EXAMPLES / "consulting-agreement.txt").read_bytes() + b"\nSigned in two copies.\n"
        _slow_upload(inbox / "slow-agreement.txt", slow_content)
        # An upload to a temporary name, renamed when complete (the usual way).
        (inbox / "memo.txt.part").write_bytes((EXAMPLES / "team-lunch-memo.txt").read_bytes())
        time.sleep(2)
        assert not (inbox / "done" / "memo.txt").exists()
        os.rename(inbox / "memo.txt.part", inbox / "memo.txt")
        # A burst: every example at once (staged beside the inbox, then renamed in).
        staged = Path(shutil.copytree(EXAMPLES, tmp_path / "staged"))
        for path in sorted(staged.iterdir()):
            os.rename(path, inbox / path.name)
        expected = {"slow-agreement.txt", "memo.txt", *(p.name for p in EXAMPLES.iterdir())}

        deadline = time.monotonic() + 420
        while set(_receipts(inbox)) != expected and time.monotonic() < deadline:
            assert all(w.poll() is None for w in watchers), "a watcher exited"
            time.sleep(1)
    finally:
        for watcher in watchers:
            watcher.terminate()
        stderr = [w.communicate(timeout=60)[1].decode() for w in watchers]
    assert [w.returncode for w in watchers] == [0, 0], "SIGTERM stops a watcher cleanly"

    receipts = _receipts(inbox)
    assert set(receipts) == expected, stderr
    for name, receipt in receipts.items():
        assert (inbox / receipt["folder"] / receipt["filed_as"]).is_file()
        assert (receipt["folder"] == "failed") == (receipt["outcome"] == "review"), name
    filed = [p.name for folder in ("done", "failed") for p in (inbox / folder).iterdir()
             if not p.name.endswith(".receipt.json")]  # fmt: skip
    assert sorted(filed) == sorted(expected), "each file filed once, none lost, none duplicated"
    assert receipts["slow-agreement.txt"]["doc_id"] == document_id(inbox / "done" / "slow-agreement.txt")
    assert (inbox / "done" / "slow-agreement.txt").read_bytes() == slow_content, "claimed only when complete"
    assert not [p for p in (inbox / ".processing").iterdir() if p.is_dir()], "no claim left behind"
    assert sorted(p.name for p in inbox.iterdir()) == [".processing", "done", "failed"]

    engine = create_engine(f"sqlite:///{out / 'review.db'}")
    with Session(engine) as session:
        processed = Counter(session.scalars(select(ProcessedDocument.doc_id)))
        reviews = Counter(session.scalars(select(ReviewItem.doc_id)))
    assert processed and max(processed.values()) == 1
    assert reviews and max(reviews.values()) == 1
    # memo.txt repeats team-lunch-memo.txt's bytes: one queue item, and both receipts say review.
    assert receipts["memo.txt"]["doc_id"] == receipts["team-lunch-memo.txt"]["doc_id"]
    assert receipts["memo.txt"]["outcome"] == receipts["team-lunch-memo.txt"]["outcome"] == "review"
    assert set(reviews) == {r["doc_id"] for r in receipts.values() if r["outcome"] == "review"}


def test_files_a_dead_watcher_left_claimed_are_processed_at_start_up(prefect_api: None, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = ("consulting-agreement.txt", "damaged-scan.pdf")
    for name in names:
        shutil.copy(EXAMPLES / name, inbox / name)
    claim = DropFolder(inbox).claim([inbox / name for name in names])
    assert claim is not None
    claim.lock.close()  # its watcher was killed mid-run

    settings = load_settings(out_dir=tmp_path / "out", parse_workers=1, watch_stable_seconds=0)
    filed = watch(inbox, settings, run_in_process, once=True)

    assert filed == {"done": 1, "failed": 1}
    receipts = _receipts(inbox)
    assert receipts["consulting-agreement.txt"]["outcome"] == "curated"
    assert receipts["damaged-scan.pdf"]["folder"] == "failed"
    assert not claim.folder.exists()


def test_a_claim_whose_run_failed_is_kept_and_tried_again(tmp_path: Path) -> None:
    import threading
    from datetime import UTC, datetime

    from docnorm.schemas.documents import Usage
    from docnorm.schemas.run import Manifest, ManifestEntry

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("a")
    settings = load_settings(out_dir=tmp_path / "out", watch_stable_seconds=0.2)
    calls: list[str] = []
    stop = threading.Event()

    def flaky_runner(paths, settings):  # type: ignore[no-untyped-def]
        calls.append(paths[0])
        if len(calls) == 1:
            raise RuntimeError("the Prefect API was down")  # the run failed: the file must stay claimed
        now = datetime.now(UTC)
        folder = Path(paths[0])
        manifest = Manifest(run_id="r2", started_at=now, finished_at=now, fingerprint="f", extractor="rules",
                            model=None, prompt_version=None, usage=Usage(), stage_seconds={}, out_dir="",
                            inputs=[ManifestEntry(source_uri=str(p), doc_id="d", doc_type=None, outcome="curated",
                                                  stage=None, reasons=[]) for p in folder.iterdir()])  # fmt: skip
        (settings.out_dir / "runs").mkdir(parents=True, exist_ok=True)
        (settings.out_dir / "runs" / "r2.json").write_text(manifest.model_dump_json())
        stop.set()
        return "r2"

    watcher = threading.Thread(target=watch, args=(inbox, settings, flaky_runner, stop), kwargs={"retry_seconds": 1})
    watcher.start()
    watcher.join(30)

    assert not watcher.is_alive()
    assert len(calls) == 2 and calls[0] == calls[1], "the same claim, tried again"
    assert (inbox / "done" / "a.txt").read_text() == "a"


def test_a_watcher_killed_mid_run_loses_and_repeats_nothing(prefect_api: None, tmp_path: Path) -> None:
    import signal

    import pyarrow.dataset as ds
    from prefect.settings import PREFECT_API_URL

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    staged = Path(shutil.copytree(EXAMPLES, tmp_path / "staged"))
    inbox.mkdir()
    for path in sorted(staged.iterdir()):
        os.rename(path, inbox / path.name)
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "DOCNORM_PARSE_WORKERS": "1"}
    command = [sys.executable, "-m", "docnorm.cli", "watch", str(inbox), "--out", str(out),
               "--stable-seconds", "0.5", "--batch-files", "4"]  # fmt: skip
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    # Kill it once one claim is filed and the next is being processed.
    while time.monotonic() < deadline and not (
        _receipts(inbox) and any(p.is_dir() and any(p.iterdir()) for p in (inbox / ".processing").iterdir())
    ):
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    filed_before = set(_receipts(inbox))
    assert filed_before and filed_before != {p.name for p in EXAMPLES.iterdir()}, "killed mid-way"

    second = subprocess.run([*command, "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert second.returncode == 0, second.stderr[-2000:]
    receipts = _receipts(inbox)
    assert set(receipts) == {p.name for p in EXAMPLES.iterdir()}, "every file filed, none lost"
    assert not [p for p in (inbox / ".processing").iterdir() if p.is_dir()]
    engine = create_engine(f"sqlite:///{out / 'review.db'}")
    with Session(engine) as session:
        processed = Counter(session.scalars(select(ProcessedDocument.doc_id)))
        reviews = Counter(session.scalars(select(ReviewItem.doc_id)))
    assert max(processed.values()) == 1 and max(reviews.values()) == 1
    for table in (out / "curated").iterdir():
        rows = ds.dataset(table, format="parquet", partitioning="hive").to_table(columns=["doc_id", "run_id"])
        pairs = set(zip(rows.column("doc_id").to_pylist(), rows.column("run_id").to_pylist(), strict=True))
        runs_per_doc = Counter(doc for doc, _ in pairs)
        assert max(runs_per_doc.values()) == 1, f"{table.name}: a document written by two runs"
