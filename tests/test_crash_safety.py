"""SIGKILL at any moment loses nothing and duplicates nothing: after a rerun every document is there once.

Each test runs ``process_batch`` in a child process that kills itself with SIGKILL at one
point of the second micro-batch (the faults are injected by this test, not by docnorm), then
reruns the batch normally and compares the outputs with those of a run never interrupted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docnorm.flows import process_batch
from docnorm.sinks import ReviewItem
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import os, signal, sys

    point, inbox, out = sys.argv[1:4]
    from pathlib import Path

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def after_first_publish():
        return any(Path(out, "curated").rglob("*.parquet"))

    if point == "parse":
        import docnorm.stages.prepare as prepare
        original_parse = prepare.parse_planned
        def parse_planned(*args, **kwargs):
            if after_first_publish():
                die()
            return original_parse(*args, **kwargs)
        prepare.parse_planned = parse_planned
    elif point == "parquet":
        import docnorm.sinks.parquet as parquet
        original_write = parquet.pq.write_table
        def write_table(table, where, **kwargs):
            if after_first_publish():
                with open(where, "wb") as handle:
                    handle.write(b"PAR1 half a file")
                die()
            return original_write(table, where, **kwargs)
        parquet.pq.write_table = write_table
    elif point == "queue":
        import docnorm.stages.route as stages
        original_record = stages.record_processed
        def record_processed(session, *args, **kwargs):
            original_record(session, *args, **kwargs)
            session.flush()  # the rows are in the open transaction when the process dies
            if after_first_publish():
                die()
        stages.record_processed = record_processed
    elif point == "publish":
        import docnorm.sinks.publish as publish
        original_replace = os.replace
        def replace(source, target):
            original_replace(source, target)
            if "/.staging/" in str(source) and after_first_publish():
                die()  # one file of the batch published, the others not
        publish.os.replace = replace

    from docnorm.flows import process_batch
    process_batch([inbox], out_dir=out, batch_size=3)
    sys.exit(3)  # the fault never fired
    """
)


def _outputs(out: Path) -> tuple[dict[str, Counter[tuple[object, ...]]], Counter[str]]:
    """Every curated table as a multiset of its content rows, and review items per doc_id."""
    tables: dict[str, Counter[tuple[object, ...]]] = {}
    for folder in sorted((out / "curated").iterdir()):
        table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
        content = [c for c in table.column_names if c not in {"run_id", "source_uri", "extracted_at", "extracted_date"}]
        tables[folder.name] = Counter(tuple(map(str, row.values())) for row in table.select(content).to_pylist())
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        reviews = Counter(session.scalars(select(ReviewItem.doc_id)))
    return tables, reviews


@pytest.fixture(scope="module")
def reference(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Counter[str]]:
    """The outputs of a run never interrupted."""
    root = tmp_path_factory.mktemp("reference")
    inbox = Path(shutil.copytree(EXAMPLES, root / "inbox"))
    process_batch([str(inbox)], out_dir=str(root / "out"), batch_size=3)
    return _outputs(root / "out")


@pytest.mark.parametrize("point", ["parse", "parquet", "queue", "publish"])
def test_a_run_killed_mid_batch_then_rerun_leaves_every_document_once(
    point: str, reference: tuple[dict, Counter[str]], tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    inbox = Path(shutil.copytree(EXAMPLES, tmp_path / "inbox"))
    out = tmp_path / "out"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "DOCNORM_PARSE_WORKERS": "1"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, point, str(inbox), str(out)], cwd=ROOT, env=env, capture_output=True, timeout=300
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    assert list((out / "curated").rglob("*.parquet")), "the first batch was published before the kill"

    process_batch([str(inbox)], out_dir=str(out), batch_size=3)

    tables, reviews = _outputs(out)
    expected_tables, expected_reviews = reference
    assert reviews == expected_reviews and max(reviews.values()) == 1
    assert tables.keys() == expected_tables.keys()
    for name, rows in tables.items():
        assert rows == expected_tables[name], f"{name} differs from an uninterrupted run"
    assert not list((out / ".staging").iterdir()), "nothing is left staged"
    assert not [p for p in (out / "curated").rglob("*") if p.name.startswith(".")], "no partial file is visible"


SYNC_CHILD = textwrap.dedent(
    """
    import os, signal, sys

    point, out = sys.argv[1:3]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    import docnorm.sinks.publish as publish
    if point == "commit":  # the first item's files and synced mark are committed, nothing is published
        publish.Staging.publish = lambda self, finals: die()
    elif point == "publish":  # one file of the first item published, the others not
        original_replace = os.replace
        def replace(source, target):
            original_replace(source, target)
            if "/.staging/" in str(source):
                die()
        publish.os.replace = replace

    from docnorm.flows import review_sync
    review_sync(out_dir=out)
    sys.exit(3)  # the fault never fired
    """
)


@pytest.mark.parametrize("point", ["commit", "publish"])
def test_a_review_sync_killed_midway_then_rerun_writes_each_record_once(
    point: str, prefect_api: None, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    from docnorm.flows import review_sync
    from docnorm.review_queue import ReviewQueue
    from docnorm.validators import ValidationOptions

    out = tmp_path / "out"
    process_batch([str(shutil.copytree(EXAMPLES, tmp_path / "inbox"))], out_dir=str(out), batch_size=6)
    queue = ReviewQueue.open(f"sqlite:///{out / 'review.db'}", ValidationOptions())
    resolved = {queue.approve(item.id, "ann").doc_id for item in queue.items() if item.record is not None}
    assert len(resolved) == 2, "the demo's balance sheet and clinical note have records to approve"

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    child = subprocess.run(
        [sys.executable, "-c", SYNC_CHILD, point, str(out)], cwd=ROOT, env=env, capture_output=True, timeout=300
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]

    review_sync(out_dir=str(out))

    reviewed: Counter[str] = Counter()
    for table in ("financial_statements", "medical_records"):
        rows = ds.dataset(out / "curated" / table, format="parquet", partitioning="hive").to_table().to_pylist()
        reviewed.update(row["doc_id"] for row in rows if row["extractor"] == "review")
    assert reviewed == Counter(resolved), "each resolved record is curated exactly once"
    assert all(item.synced_at is not None for item in queue.items(status=None) if item.doc_id in resolved)
    assert not list((out / ".staging").iterdir()), "nothing is left staged"
