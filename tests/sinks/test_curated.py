"""The one writer of the curated tables: lineage stamped once, files committed with the caller's
bookkeeping, published and mirrored at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import fsspec
import pyarrow.dataset as ds
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from docnorm.schemas.documents import DocumentResult, Outcome, Usage
from docnorm.settings import Settings
from docnorm.sinks import CuratedRecord, Origin, open_store
from docnorm.sinks.publish import CommittedPart
from docnorm.validators import ValidationOptions
from docnorm.validators.contract import contract_tables

CONTRACTS = contract_tables(ValidationOptions())[0]


def _record(doc_id: str, origin: Origin, *, rows: bool = True) -> CuratedRecord:
    result = DocumentResult(
        source_uri=f"file:///in/{doc_id}.txt",
        doc_id=doc_id,
        doc_type="contract",
        outcome=Outcome.CURATED,
        usage=Usage(calls=1, prompt_tokens=10, completion_tokens=5),
    )
    return CuratedRecord(result, origin, [(CONTRACTS, [{"title": f"title of {doc_id}"}] if rows else [])])


def test_rows_carry_their_lineage_and_the_files_commit_with_the_callers_changes(tmp_path: Path) -> None:
    settings = Settings(out_dir=tmp_path / "out", curated_url="memory://mirror/curated")
    seen: list[str] = []
    reviewed = datetime(2026, 1, 2, tzinfo=UTC)
    with open_store(settings, "run-1") as store:
        written = store.writer.write(
            "run-1-00000",
            [_record("a", Origin("rules")), _record("b", Origin("review", review_resolution="corrected",
                                                                reviewer="ann", reviewed_at=reviewed))],
            in_transaction=lambda session, refused: seen.append("bookkeeping in the same transaction"),
        )  # fmt: skip
        with Session(store.engine) as session:
            [part] = session.scalars(select(CommittedPart)).all()
    assert seen == ["bookkeeping in the same transaction"]
    finals = written.files
    assert [Path(tmp_path / "out" / f) for f in part.files] == finals and written.refused == []
    rows = {r["doc_id"]: r for r in ds.dataset(tmp_path / "out" / "curated" / "contracts").to_table().to_pylist()}
    assert rows["a"]["extractor"] == "rules" and rows["a"]["llm_prompt_tokens"] == 10
    assert rows["a"]["run_id"] == rows["b"]["run_id"] == "run-1"
    assert (rows["b"]["extractor"], rows["b"]["reviewer"], rows["b"]["review_resolution"]) == ("review", "ann",
                                                                                               "corrected")  # fmt: skip
    assert rows["b"]["reviewed_at"] == reviewed
    mirror = fsspec.filesystem("memory")
    assert sorted(p.rsplit("/", 1)[1] for p in mirror.find("/mirror/curated")) == [f.name for f in finals]


def test_a_record_without_rows_writes_no_file(tmp_path: Path) -> None:
    with open_store(Settings(out_dir=tmp_path / "out"), "run-1") as store:
        assert store.writer.write("run-1-00000", [_record("a", Origin("rules"), rows=False)]).files == []
    assert not (tmp_path / "out" / "curated").exists()


def test_a_transaction_that_fails_publishes_nothing(tmp_path: Path) -> None:
    def fail(session: Session, refused: object) -> None:
        raise RuntimeError("the queue is down")

    with open_store(Settings(out_dir=tmp_path / "out"), "run-1") as store:
        with pytest.raises(RuntimeError):
            store.writer.write("run-1-00000", [_record("a", Origin("rules"))], in_transaction=fail)
    assert not (tmp_path / "out" / "curated").exists()
    # The next run's recovery discards what the failed write staged.
    with open_store(Settings(out_dir=tmp_path / "out"), "run-2"):
        pass
    assert not any((tmp_path / "out" / ".staging").rglob("*.parquet"))


def test_a_record_whose_rows_cannot_be_converted_is_refused_whole_and_the_others_are_written(tmp_path: Path) -> None:
    bad = _record("bad", Origin("rules"))
    bad = CuratedRecord(bad.result, bad.origin, [(CONTRACTS, [{"title": "fine"}, {"term_months": 2**40}])])
    seen: list[list[str]] = []
    with open_store(Settings(out_dir=tmp_path / "out"), "run-1") as store:
        written = store.writer.write(
            "run-1-00000",
            [_record("a", Origin("rules")), bad],
            in_transaction=lambda session, refused: seen.append([r.record.result.doc_id or "" for r in refused]),
        )
    assert seen == [["bad"]], "the caller's bookkeeping learns which record was refused"
    assert [(r.record.result.doc_id, r.error) for r in written.refused] == [("bad", "ArrowInvalid")]
    rows = ds.dataset(tmp_path / "out" / "curated" / "contracts").to_table().to_pylist()
    assert [r["doc_id"] for r in rows] == ["a"], "none of the refused record's rows, not even its good one"


def test_a_failure_that_is_not_the_documents_stops_the_write_with_nothing_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docnorm.sinks.parquet.pq.write_table", disk_full)
    with open_store(Settings(out_dir=tmp_path / "out"), "run-1") as store:
        with pytest.raises(OSError, match="No space left"):
            store.writer.write("run-1-00000", [_record("a", Origin("rules"))])
        with Session(store.engine) as session:
            assert session.scalars(select(CommittedPart)).all() == []
    assert not (tmp_path / "out" / "curated").exists()
