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
    filed = watch(inbox, settings, once=True)

    assert filed == {"done": 1, "failed": 1}
    receipts = _receipts(inbox)
    assert receipts["consulting-agreement.txt"]["outcome"] == "curated"
    assert receipts["damaged-scan.pdf"]["folder"] == "failed"
    assert not claim.folder.exists()
