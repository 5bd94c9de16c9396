"""The drop folder's rules: what is a candidate, when a file is stable, that a claim is exclusive,
that dead claims are taken over and that filing never overwrites."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from docnorm.dropfolder import DropFolder, StabilityTracker
from docnorm.schemas.documents import Usage
from docnorm.schemas.run import Manifest, ManifestEntry


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _manifest(outcomes: dict[Path, str]) -> Manifest:
    now = datetime.now(UTC)
    return Manifest(
        run_id="run-1", started_at=now, finished_at=now, fingerprint="f", extractor="rules", model=None,
        prompt_version=None, usage=Usage(), stage_seconds={}, out_dir="out",
        inputs=[ManifestEntry(source_uri=str(p), doc_id=f"id-{p.name}", doc_type=None, outcome=o, stage=None,
                              reasons=[] if o != "review" else ["no_text"]) for p, o in outcomes.items()],
    )  # fmt: skip


def test_candidates_are_top_level_regular_files_without_dotfiles_or_partial_uploads(inbox: Path) -> None:
    for name in ("a.pdf", ".hidden.pdf", "b.pdf.part", "c.tmp", "d.txt~"):
        (inbox / name).write_text("x")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "e.pdf").write_text("x")
    (inbox / "link.pdf").symlink_to(inbox / "a.pdf")

    assert [p.name for p in DropFolder(inbox).candidates()] == ["a.pdf"]


def test_a_file_is_stable_only_after_size_and_mtime_hold_still_for_the_interval(inbox: Path) -> None:
    path = inbox / "upload.pdf"
    path.write_bytes(b"first half")
    tracker = StabilityTracker(stable_seconds=5)

    assert tracker.observe([path], now=100.0) == []
    assert tracker.observe([path], now=104.0) == []
    path.write_bytes(b"first half, second half")  # still being written
    assert tracker.observe([path], now=106.0) == [], "a change restarts the clock"
    assert tracker.next_check_in(now=106.0) == 5.0
    assert tracker.observe([path], now=111.0) == [path]


def test_a_file_claimed_by_one_watcher_is_not_claimed_by_another(inbox: Path) -> None:
    files = [inbox / f"{n}.txt" for n in range(3)]
    for path in files:
        path.write_text("x")
    first, second = DropFolder(inbox), DropFolder(inbox)

    claim = first.claim(files)
    assert claim is not None and [p.name for p in claim.files] == ["0.txt", "1.txt", "2.txt"]
    assert second.claim(files) is None, "the files are gone from the inbox: nothing to claim"
    assert second.orphaned_claims() == [], "a live claim (its lock held) is not taken over"


def test_claims_of_a_dead_watcher_are_taken_over(inbox: Path) -> None:
    (inbox / "a.txt").write_text("x")
    claim = DropFolder(inbox).claim([inbox / "a.txt"])
    assert claim is not None
    claim.lock.close()  # the watcher died: its lock is released with its file descriptors

    (orphan,) = DropFolder(inbox).orphaned_claims()
    assert [p.name for p in orphan.files] == ["a.txt"] and orphan.folder == claim.folder


def test_files_are_filed_by_outcome_with_receipts_and_never_overwrite(inbox: Path) -> None:
    folder = DropFolder(inbox)
    (inbox / "done" / "a.txt").write_text("filed yesterday")
    for name in ("a.txt", "b.txt", "c.txt"):
        (inbox / name).write_text(name)
    claim = folder.claim([inbox / "a.txt", inbox / "b.txt", inbox / "c.txt"])
    assert claim is not None
    manifest = _manifest({claim.folder / "a.txt": "curated", claim.folder / "b.txt": "review",
                          claim.folder / "c.txt": "skipped"})  # fmt: skip

    moved = folder.file_away(claim, manifest)
    claim.release()

    assert moved == {"done": 2, "failed": 1}
    assert (inbox / "done" / "a.txt").read_text() == "filed yesterday"
    assert (inbox / "done" / "a (2).txt").read_text() == "a.txt"
    assert (inbox / "failed" / "b.txt").read_text() == "b.txt"
    receipt = (inbox / "failed" / "b.txt.receipt.json").read_text()
    assert '"outcome": "review"' in receipt and '"no_text"' in receipt and '"run_id": "run-1"' in receipt
    assert not list((inbox / ".processing").iterdir()), "the claim folder and its lock are gone"
    assert sorted(os.listdir(inbox)) == [".processing", "done", "failed"]


def test_a_missing_inbox_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="does not exist"):
        DropFolder(tmp_path / "nope")
