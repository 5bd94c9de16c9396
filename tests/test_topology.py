"""The production topology on one machine (docnorm.testing.topology), each component its own process.

Documents dropped into the inbox of `docnorm serve` are processed on a Dask cluster started with
`dask scheduler` / `dask worker`, the queue and ledger in PostgreSQL, the tables mirrored to an S3
server; then a Dask worker is killed in the middle of a run, then the Prefect server is restarted in
the middle of one. After each, every document is in the S3 tables or in the review queue, once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from docnorm.testing.topology import BUCKET, Topology, topology
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
# Formats whose bytes can take a line at the end and stay valid: every copy is a new document.
SEEDS = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html", ".eml"})
MAIN_TABLES = ("contracts", "financial_statements", "medical_records")
PHASE_SECONDS = 600


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    from docnorm.testing.postgres import server_binaries

    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is needed to start PostgreSQL as root (apt-get install util-linux)")
    with topology(tmp_path_factory.mktemp("topology")) as started:
        yield started


def drop(node: Topology, first: int, count: int) -> list[str]:
    """``count`` new documents into the inbox (written aside, then moved in whole); their doc ids."""
    ids = []
    staging = node.root / "staging"
    staging.mkdir(exist_ok=True)
    for n in range(first, first + count):
        seed = SEEDS[n % len(SEEDS)]
        data = seed.read_bytes() + f"\n\nReference: TOPOLOGY-{n:05d}\n".encode()
        aside = staging / f"{seed.stem}-{n:05d}{seed.suffix}"
        aside.write_bytes(data)
        aside.rename(node.inbox / aside.name)
        ids.append(hashlib.sha256(data).hexdigest())
    return ids


def filed(node: Topology) -> int:
    return sum(len(list((node.inbox / folder).glob("*.receipt.json"))) for folder in ("done", "failed"))


def wait_until_filed(node: Topology, count: int, seconds: float = PHASE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while filed(node) < count:
        assert time.monotonic() < deadline, f"{filed(node)} of {count} filed (logs: {node.root / 'logs'})"
        time.sleep(2)


def wait_until_working(node: Topology, seconds: float = 180) -> None:
    """Until a run has claimed files and filed some, but not all: the middle of a run."""
    deadline = time.monotonic() + seconds
    start = filed(node)
    while filed(node) == start or not any((node.inbox / ".processing").glob("*/*")):
        assert time.monotonic() < deadline, "no run started"
        time.sleep(0.5)


def curated_runs(node: Topology) -> dict[str, set[str]]:
    """doc_id → the runs whose rows the S3 tables hold for it (main tables); fails on a repeated row."""
    import pyarrow.dataset as ds
    import s3fs

    fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=node.s3_endpoint, skip_instance_cache=True,
                           use_listings_cache=False)  # fmt: skip
    runs: dict[str, set[str]] = {}
    for table in MAIN_TABLES:
        if not fs.exists(f"{BUCKET}/curated/{table}"):
            continue
        rows = ds.dataset(f"{BUCKET}/curated/{table}", filesystem=fs, format="parquet", partitioning="hive")
        data = rows.to_table().drop_columns(["extracted_date"]).to_pylist()
        keyed = Counter(tuple(sorted((k, str(v)) for k, v in row.items())) for row in data)
        assert max(keyed.values(), default=1) == 1, f"a row of {table} is in the bucket twice"
        for row in data:
            runs.setdefault(row["doc_id"], set()).add(row["run_id"])
    return runs


def review_items(node: Topology) -> Counter[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(node.review_url)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("select doc_id from review_items"))]
    engine.dispose()
    return Counter(ids)


def assert_each_once(node: Topology, expected: list[str]) -> None:
    curated, review = curated_runs(node), review_items(node)
    lost = [d for d in expected if d not in curated and d not in review]
    both = [d for d in expected if d in curated and d in review]
    doubled = [d for d in expected if len(curated.get(d, ())) > 1 or review.get(d, 0) > 1]
    assert (lost, both, doubled) == ([], [], [])
    assert len(curated) + len(review) == len(expected)
    assert not any((node.inbox / ".processing").glob("*/*")), "nothing is left claimed"


def test_200_documents_through_the_topology_each_once(node: Topology) -> None:
    expected = drop(node, 0, 200)

    wait_until_filed(node, 200)

    assert_each_once(node, expected)
    assert len(curated_runs(node)) >= 100  # most are curated: the examples' outcomes, copied


def test_a_dask_worker_killed_mid_run_loses_and_doubles_nothing(node: Topology) -> None:
    before = filed(node)
    expected = [*_all_ids(node, before), *drop(node, 200, 100)]

    wait_until_working(node)
    node.kill("worker-1")
    wait_until_filed(node, before + 100)
    node.start_worker(1)

    assert_each_once(node, expected)


def test_a_prefect_server_restarted_mid_run_loses_and_doubles_nothing(node: Topology) -> None:
    before = filed(node)
    expected = [*_all_ids(node, before), *drop(node, 300, 100)]

    wait_until_working(node)
    node.kill("prefect")
    time.sleep(5)
    node.start_prefect()
    wait_until_filed(node, before + 100)

    assert_each_once(node, expected)


def _all_ids(node: Topology, count: int) -> list[str]:
    """The doc ids of every document filed so far (from their receipts)."""
    import json

    receipts = [p for folder in ("done", "failed") for p in (node.inbox / folder).glob("*.receipt.json")]
    assert len(receipts) == count
    return [json.loads(p.read_text())["doc_id"] for p in receipts]
