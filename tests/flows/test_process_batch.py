"""End to end through a real Prefect API: the examples become Parquet tables and review items, nothing lost."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docnorm.flows import process_batch
from docnorm.schemas.run import RunSummary
from docnorm.sinks import ReviewItem
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow

EXPECTED_REVIEW = {
    "damaged-scan.pdf": ("parse", "corrupt"),
    "team-lunch-memo.txt": ("classify", "unknown_type"),
    "balance-sheet-umbrella-2025.txt": ("validate", "balance_sheet_balances"),
    "referral-unknown-code.eml": ("validate", "icd10cm_code_exists"),
}
EXPECTED_ROWS = {
    "contracts": 5,
    "contract_parties": 10,
    "contract_amounts": 5,
    "contract_signatories": 10,
    "financial_statements": 4,
    "medical_records": 4,
    "medical_diagnoses": 5,
    "medical_medications": 6,
}


@pytest.fixture(scope="module")
def run(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path, Path]:
    root = tmp_path_factory.mktemp("e2e")
    inbox = Path(shutil.copytree(EXAMPLES, root / "inbox"))
    out = root / "out"
    summary = process_batch([str(inbox)], out_dir=str(out), batch_size=5)
    return summary, inbox, out


def _table(out: Path, name: str) -> pa.Table:
    return ds.dataset(out / "curated" / name, format="parquet", partitioning="hive").to_table()


def test_every_input_ends_in_exactly_one_place(run: tuple[RunSummary, Path, Path]) -> None:
    summary, inbox, _ = run
    inputs = sorted(p.resolve().as_uri() for p in inbox.iterdir())
    assert sorted(r.source_uri for r in summary.results) == inputs
    assert summary.counts == {"curated": 13, "review": 4}
    manifest = json.loads(Path(summary.manifest).read_text())
    assert sorted(entry["source_uri"] for entry in manifest["inputs"]) == inputs
    assert {e["outcome"] for e in manifest["inputs"]} == {"curated", "review"}


def test_each_expected_review_item_has_its_stage_and_reason(run: tuple[RunSummary, Path, Path]) -> None:
    summary, inbox, out = run
    engine = create_engine(f"sqlite:///{out / 'review.db'}")
    with Session(engine) as session:
        items = {i.doc_id: i for i in session.scalars(select(ReviewItem))}
    assert len(items) == len(EXPECTED_REVIEW)
    for name, (stage, code) in EXPECTED_REVIEW.items():
        item = items[hashlib.sha256((inbox / name).read_bytes()).hexdigest()]
        assert item.stage == stage
        assert code in [reason["code"] for reason in item.reasons]
        assert item.status == "pending" and item.run_id == summary.run_id
    unbalanced = items[hashlib.sha256((inbox / "balance-sheet-umbrella-2025.txt").read_bytes()).hexdigest()]
    assert unbalanced.doc_type == "financial_statement" and unbalanced.record is not None


def test_curated_tables_hold_the_expected_rows_with_lineage_and_stable_types(
    run: tuple[RunSummary, Path, Path],
) -> None:
    summary, _, out = run
    for name, rows in EXPECTED_ROWS.items():
        table = _table(out, name)
        assert table.num_rows == rows, name
        assert set(table.column("run_id").to_pylist()) == {summary.run_id}
        assert None not in table.column("doc_id").to_pylist()
        assert set(table.column("extractor").to_pylist()) == {"rules"}
    schema = _table(out, "financial_line_items").schema
    assert schema.field("value").type == pa.decimal128(24, 4)
    assert _table(out, "contracts").schema.field("effective_date").type == pa.date32()


def test_every_curated_record_has_field_provenance_and_the_readme_query_works(
    run: tuple[RunSummary, Path, Path],
) -> None:
    summary, _, out = run
    provenance = _table(out, "field_provenance")
    curated_ids = {r.doc_id for r in summary.results if r.outcome.value == "curated"}
    assert set(provenance.column("doc_id").to_pylist()) == curated_ids
    outputs = (ROOT / "docs" / "outputs.md").read_text()
    query = outputs.split("```sql provenance")[1].split("```")[0].replace("out/", f"{out}/")
    with duckdb.connect() as con:
        rows = con.execute(query).fetchall()
    assert rows and rows[0][0] == "Revenue 12,400" and rows[0][1] == 1


def test_known_values_from_known_documents_via_duckdb(run: tuple[RunSummary, Path, Path]) -> None:
    _, _, out = run
    curated = out / "curated"
    with duckdb.connect() as con:
        law, parties = con.execute(
            f"""
            select c.governing_law, list(p.name order by p.position)
            from read_parquet('{curated}/contracts/**/*.parquet') c
            join read_parquet('{curated}/contract_parties/**/*.parquet') p using (doc_id)
            where c.source_uri like '%master-services-agreement.pdf'
            group by c.governing_law
            """
        ).fetchall()[0]
        assets = con.execute(
            f"""
            select total_assets from read_parquet('{curated}/financial_statements/**/*.parquet')
            where source_uri like '%balance-sheet-acme-2024.html'
            """
        ).fetchall()
        codes = con.execute(
            f"select list(icd10_code order by icd10_code) from read_parquet('{curated}/medical_diagnoses/**/*.parquet')"
        ).fetchall()[0][0]
    assert (law, parties) == ("Delaware", ["Acme Widgets, Inc.", "Globex Corporation"])
    assert [float(a) for (a,) in assets] == [5_600_000.0]
    assert codes == ["E11.9", "I10", "J18.9", "J45.20", "M54.50"]


def test_a_rerun_skips_everything_and_duplicates_nothing(run: tuple[RunSummary, Path, Path]) -> None:
    _, inbox, out = run
    again = process_batch([str(inbox)], out_dir=str(out))
    assert again.counts == {"skipped": 17}
    assert {r.reasons[0].code for r in again.results} == {"already_processed"}
    for name, rows in EXPECTED_ROWS.items():
        assert _table(out, name).num_rows == rows
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        assert len(list(session.scalars(select(ReviewItem)))) == len(EXPECTED_REVIEW)


def test_logs_name_ids_and_counts_never_patient_data(
    prefect_api: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("visit-note-diabetes.txt", "referral-unknown-code.eml"):
        shutil.copy(EXAMPLES / name, inbox / name)
    with caplog.at_level(logging.DEBUG):
        summary = process_batch([str(inbox)], out_dir=str(tmp_path / "out"))
    assert summary.counts == {"curated": 1, "review": 1}
    patients = _table(tmp_path / "out", "medical_records").column("patient_name").to_pylist()
    phi = [*patients, "MRN-", "Metformin", "R53.99", "Fatigue"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "document" in logged
    assert not [term for term in phi if term and term in logged]


def test_the_run_publishes_a_content_free_summary_artifact(run: tuple[RunSummary, Path, Path]) -> None:
    from prefect.settings import PREFECT_API_URL

    summary, _, _ = run
    # Plain HTTP: Prefect 3.8.8's client sends filter fields its own server rejects.
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={
            "artifacts": {"key": {"any_": ["docnorm-run-summary"]}, "flow_run_id": {"any_": [summary.run_id]}},
            "limit": 10,
            "offset": 0,
            "sort": "CREATED_DESC",
        },
    )
    response.raise_for_status()
    [artifact] = response.json()
    rows = json.loads(artifact["data"])
    assert {row["doc_type"]: (row["curated"], row["review"]) for row in rows} == {
        "contract": (5, 0),
        "financial_statement": (4, 1),
        "medical_record": (4, 1),
        "unknown": (0, 2),
    }


def test_parsing_in_worker_processes_gives_the_same_outcome(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("master-services-agreement.pdf", "damaged-scan.pdf", "visit-note-diabetes.txt"):
        shutil.copy(EXAMPLES / name, inbox / name)
    monkeypatch.setenv("DOCNORM_PARSE_WORKERS", "2")
    summary = process_batch([str(inbox)], out_dir=str(tmp_path / "out"))
    assert summary.counts == {"curated": 2, "review": 1}
    assert {r.reasons[0].code for r in summary.results if r.reasons} == {"corrupt"}


def test_the_manifest_accounts_for_the_time_of_the_run(run: tuple[RunSummary, Path, Path]) -> None:
    summary, _, _ = run
    manifest = json.loads(Path(summary.manifest).read_text())
    wall = datetime.fromisoformat(manifest["finished_at"]) - datetime.fromisoformat(manifest["started_at"])
    stages = manifest["stage_seconds"]
    assert set(stages) == {"parse", "extract", "validate", "route"} and all(v > 0 for v in stages.values())
    # The flow's own timeline: waiting for prepared batches, validate, route and Prefect's work around them.
    own = manifest["waited_seconds"] + stages["validate"] + stages["route"] + manifest["orchestration_seconds"]
    assert 0 < manifest["orchestration_seconds"] and own <= wall.total_seconds()
