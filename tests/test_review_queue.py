"""The review queue as a working tool, on SQLite and on a real PostgreSQL server.

Full cycle: fail → queue → correct → re-ingest → present once in Parquet; conflicts between
reviewers; idempotent re-runs; export into `docnorm eval`; migrations; PHI-safe listing.
"""

from __future__ import annotations

import json
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from docnorm.cli import app
from docnorm.doctypes.builtin import REGISTRY
from docnorm.eval.runner import evaluate
from docnorm.review_queue import ReviewQueue
from docnorm.schemas import ConfigError, ReviewConflict
from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.settings import Settings
from docnorm.sinks import ReviewItem, enqueue, open_store
from docnorm.sinks.migrations import LATEST, current_version
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_documents
from docnorm.stages.validate import validate_documents
from docnorm.validators import ValidationOptions
from tests.conftest import EXAMPLES

FAILING = ["referral-unknown-code.eml", "balance-sheet-umbrella-2025.txt", "team-lunch-memo.txt"]


def _fill(url: str, tmp_path: Path) -> ReviewQueue:
    """Run three failing examples through the stages and queue them, as a run would."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for name in FAILING:
        shutil.copy(EXAMPLES / name, inbox / name)
    settings = Settings(out_dir=tmp_path / "out")
    parsed, stopped = parse_documents(sorted(inbox.iterdir()), settings)
    extracted, unclassified = extract_documents(parsed, settings, make_extractor(settings, REGISTRY), REGISTRY)
    _, failed = validate_documents(extracted, ValidationOptions(), REGISTRY)
    queue = ReviewQueue.open(url, ValidationOptions())
    with Session(queue.engine) as session, session.begin():
        enqueue(session, [*stopped, *unclassified, *failed], run_id="run-1")
    return queue


def _sync(queue: ReviewQueue, url: str, out: Path, run_id: str) -> list[int]:
    """What ``docnorm review sync`` does: the resolved items through a run's curated writer."""
    with open_store(Settings(out_dir=out, review_url=url), run_id) as store:
        return queue.sync(store.writer).synced


def _item(queue: ReviewQueue, reason: str) -> int:
    [item] = queue.items(reason=reason)
    return item.id


def test_fail_correct_reingest_and_the_record_is_curated_exactly_once(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    item_id = _item(queue, "icd10cm_code_exists")
    still, reasons = queue.correct(item_id, {"diagnoses.0.icd10_code": "R53.999"}, "alice")
    assert still.status == "pending" and [r.code for r in reasons] == ["icd10cm_code_exists"]
    fixed, reasons = queue.correct(item_id, {"diagnoses.0.icd10_code": "R53.83"}, "alice")
    assert (fixed.status, reasons, fixed.reviewer) == ("corrected", [], "alice")
    assert fixed.corrections == {"diagnoses.0.icd10_code": {"from": "R53.999", "to": "R53.83"}}
    out = tmp_path / "out"
    assert _sync(queue, database_url, out, "sync-1") == [item_id]
    assert _sync(queue, database_url, out, "sync-2") == []
    rows = duckdb.sql(
        f"select icd10_code, review_resolution, reviewer, reviewed_at is not null "
        f"from read_parquet('{out}/curated/medical_diagnoses/**/*.parquet') order by icd10_code"
    ).fetchall()
    assert rows == [("E55.9", "corrected", "alice", True), ("R53.83", "corrected", "alice", True)]
    changed = duckdb.sql(
        f"select field, row_number from read_parquet('{out}/curated/field_provenance/**/*.parquet') "
        "where reviewer_changed"
    ).fetchall()
    assert changed == [("diagnoses.icd10_code", 0)]


def test_the_second_reviewer_gets_a_conflict(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    item_id = _item(queue, "balance_sheet_balances")
    seen = queue.get(item_id).version
    queue.approve(item_id, "alice", expected_version=seen)
    with pytest.raises(ReviewConflict, match="already approved by alice"):
        queue.reject(item_id, "bob", "looks wrong", expected_version=seen)
    assert queue.get(item_id).reviewer == "alice"


def test_concurrent_sessions_cannot_both_write_the_same_version(database_url: str, tmp_path: Path) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    from docnorm.sinks import ReviewItem

    queue = _fill(database_url, tmp_path)
    item_id = _item(queue, "balance_sheet_balances")
    first, second = Session(queue.engine), Session(queue.engine)
    one, two = first.get(ReviewItem, item_id), second.get(ReviewItem, item_id)
    assert one is not None and two is not None
    one.status = "approved"
    first.commit()
    two.status = "rejected"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()


def test_requeueing_the_same_failures_adds_no_items(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    _fill(database_url, tmp_path)
    assert len(queue.items()) == 3


def test_records_without_extraction_cannot_be_approved(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    with pytest.raises(ConfigError, match="no extracted record"):
        queue.approve(_item(queue, "unknown_type"), "alice")


def test_a_correction_its_column_cannot_hold_is_refused_as_you_type(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    item_id = _item(queue, "balance_sheet_balances")
    change = {"line_items.0.value": "1E+30"}
    [problem] = queue.would_fail(item_id, change)
    assert problem.startswith("value_out_of_range (financial_line_items.value): value (row 1): 31 integer digits")
    assert "E+30" not in problem and "1000" not in problem
    item, reasons = queue.correct(item_id, change, "alice")
    assert item.status == "pending" and {r.code for r in reasons} == {"value_out_of_range"}
    with pytest.raises(ConfigError, match="cannot be approved as it is: financial_line_items.value does not fit"):
        queue.approve(item_id, "alice")
    assert queue.get(item_id).status == "pending"


def test_sync_sends_back_what_it_cannot_write_and_syncs_the_rest(database_url: str, tmp_path: Path) -> None:
    queue = _fill(database_url, tmp_path)
    sheet, note = _item(queue, "balance_sheet_balances"), _item(queue, "icd10cm_code_exists")
    queue.approve(sheet, "alice")
    queue.correct(note, {"diagnoses.0.icd10_code": "R53.83"}, "alice")
    # A record saved before values were checked against their columns (as by an earlier version).
    with Session(queue.engine) as session, session.begin():
        stored = session.get(ReviewItem, sheet)
        assert stored is not None and stored.record is not None
        record = json.loads(json.dumps(stored.record))
        record["line_items"][0]["value"] = "1E+30"
        stored.record = record
    out = tmp_path / "out"
    with open_store(Settings(out_dir=out, review_url=database_url), "sync-1") as store:
        done = queue.sync(store.writer)
    assert (done.synced, done.failed) == ([note], [sheet])
    back = queue.get(sheet)
    assert back.status == "pending" and back.synced_at is None
    assert [r["code"] for r in back.reasons] == ["value_out_of_range", "write_failed"]
    assert [e.action for e in queue.audit(sheet)][-1] == "sync failed"
    notes = duckdb.sql(f"select count(*) from read_parquet('{out}/curated/medical_records/**/*.parquet')").fetchall()
    assert notes == [(1,)]
    assert not list((out / "curated").glob("financial_*")), "none of the statement's rows were written"
    with open_store(Settings(out_dir=out, review_url=database_url), "sync-2") as store:
        again = queue.sync(store.writer)
    assert (again.synced, again.failed) == ([], []), "a pending item waits for its reviewer"


def test_resolved_records_export_as_a_gold_set_that_eval_reads(tmp_path: Path) -> None:
    queue = _fill(f"sqlite:///{tmp_path / 'review.db'}", tmp_path)
    queue.approve(_item(queue, "balance_sheet_balances"), "alice")
    queue.correct(_item(queue, "icd10cm_code_exists"), {"diagnoses.0.icd10_code": "R53.83"}, "alice")
    assert queue.export_gold(tmp_path / "gold") == 2
    report = evaluate(tmp_path / "gold", Settings(out_dir=tmp_path / "out"))
    assert report.n_docs == 2 and report.classification_accuracy == 1.0
    # The approved statement is gold exactly as extracted; the corrected code is the one rules still miss.
    assert report.per_key["line_items.value"].f1 == 1.0
    assert report.per_key["diagnoses.icd10_code"].recall == 0.5


def test_a_first_release_queue_is_migrated_without_losing_items(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE TABLE review_items (id INTEGER PRIMARY KEY, doc_id VARCHAR(64) NOT NULL, source_uri VARCHAR NOT NULL,"
            " doc_type VARCHAR(64), stage VARCHAR(16) NOT NULL, reasons JSON NOT NULL, record JSON, status VARCHAR(16)"
            " NOT NULL, run_id VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,"
            " version INTEGER NOT NULL)"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO review_items VALUES (7, 'abc', 'file:///x', NULL, 'parse', '[]', NULL, 'pending', 'r',"
            " '2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
        ))  # fmt: skip
    with engine.connect() as connection:
        assert current_version(connection) == 1
    queue = ReviewQueue.open(url, ValidationOptions())
    with queue.engine.connect() as connection:
        assert current_version(connection) == LATEST
    item = queue.reject(7, "alice", "unreadable scan")
    assert (item.status, item.resolution_note) == ("rejected", "unreadable scan")


def test_the_sqlite_queue_is_owner_only(tmp_path: Path) -> None:
    ReviewQueue.open(f"sqlite:///{tmp_path / 'q' / 'review.db'}", ValidationOptions())
    mode = stat.S_IMODE((tmp_path / "q" / "review.db").stat().st_mode)
    assert mode == 0o600


runner = CliRunner()


def test_cli_lists_without_values_shows_with_evidence_and_resolves(tmp_path: Path) -> None:
    out = tmp_path / "out"
    queue = _fill(f"sqlite:///{out / 'review.db'}", tmp_path)
    item_id = _item(queue, "icd10cm_code_exists")
    listed = runner.invoke(app, ["review", "list", "--out", str(out), "--reason", "icd10cm_code_exists"])
    assert listed.exit_code == 0 and "icd10cm_code_exists" in listed.output
    assert "R53.99" not in listed.output and "Fatigue" not in listed.output
    shown = runner.invoke(app, ["review", "show", str(item_id), "--out", str(out)])
    assert "R53.99" in shown.output and "(R53.99)" in shown.output and "referral-unknown-code.eml" in shown.output
    failing = runner.invoke(
        app, ["review", "correct", str(item_id), "--set", "diagnoses.0.icd10_code=X", "--out", str(out)]
    )
    assert failing.exit_code == 1 and "stays pending" in failing.output
    fixed = runner.invoke(app, ["review", "correct", str(item_id), "--set", "diagnoses.0.icd10_code=R53.83",
                                "--out", str(out), "--reviewer", "alice"])  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    again = runner.invoke(app, ["review", "approve", str(item_id), "--out", str(out)])
    assert again.exit_code == 3 and "already corrected by alice" in again.output
    bad_path = runner.invoke(app, ["review", "correct", str(_item(queue, "balance_sheet_balances")), "--set",
                                   "nonsense=1", "--out", str(out)])  # fmt: skip
    assert bad_path.exit_code == 2 and "no field 'nonsense'" in bad_path.output


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_cli_exports_the_queue(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    _fill(f"sqlite:///{out / 'review.db'}", tmp_path)
    target = tmp_path / f"queue.{fmt}"
    result = runner.invoke(app, ["review", "export", str(target), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        rows = [json.loads(line) for line in target.read_text().splitlines()]
    else:
        rows = duckdb.sql(f"select * from read_parquet('{target}')").df().to_dict("records")
    assert sorted(r["stage"] for r in rows) == ["classify", "validate", "validate"]
    assert all(json.loads(r["reasons"]) for r in rows)


@pytest.mark.slow
def test_review_sync_flow_reingests_and_publishes_the_backlog(prefect_api: None, tmp_path: Path) -> None:
    import httpx
    from prefect.settings import PREFECT_API_URL

    from docnorm.flows import review_sync

    out = tmp_path / "out"
    queue = _fill(f"sqlite:///{out / 'review.db'}", tmp_path)
    queue.approve(_item(queue, "balance_sheet_balances"), "alice")
    assert review_sync(out_dir=str(out)).synced == [_item_id_of(queue, "balance_sheet_balances")]
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={
            "artifacts": {"key": {"any_": ["docnorm-review-backlog"]}},
            "limit": 1,
            "offset": 0,
            "sort": "CREATED_DESC",
        },
    )
    rows = json.loads(response.json()[0]["data"])
    assert {(r["stage"], r["doc_type"], r["pending"]) for r in rows} == {
        ("classify", "unknown", 1),
        ("validate", "medical_record", 1),
    }


def _item_id_of(queue: ReviewQueue, reason: str) -> int:
    return next(i.id for i in queue.items(status=None) if reason in {r["code"] for r in i.reasons})


def test_enqueue_result_shape_is_what_runs_produce() -> None:
    result = DocumentResult(
        source_uri="file:///x", doc_id="d", outcome=Outcome.REVIEW, stage=Stage.PARSE,
        reasons=[Reason(code="corrupt", message="m")],
    )  # fmt: skip
    assert result.model_dump()["reasons"][0]["code"] == "corrupt"
    assert datetime.now(UTC).tzinfo is UTC


def test_synced_records_reach_the_object_storage_mirror_at_once(tmp_path: Path) -> None:
    import fsspec

    url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue = _fill(url, tmp_path)
    queue.approve(_item(queue, "balance_sheet_balances"), "bob")
    out, mirror = tmp_path / "out", f"memory://sync-{tmp_path.name}/curated"
    with open_store(Settings(out_dir=out, review_url=url, curated_url=mirror), "sync-1") as store:
        assert len(queue.sync(store.writer).synced) == 1
    local = sorted(p.relative_to(out / "curated").as_posix() for p in (out / "curated").rglob("*.parquet"))
    root = f"/sync-{tmp_path.name}/curated/"
    remote = sorted(path.split(root, 1)[1] for path in fsspec.filesystem("memory").find(root))
    assert local and remote == local
