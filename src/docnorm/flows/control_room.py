"""What a run shows in the Prefect UI: progress while it works, then a table and a markdown summary.

Artifacts carry counts, doc types, reason codes and doc ids only: never file names (they can name a
patient), document text or extracted values.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from docnorm.schemas.documents import DocumentResult, Outcome, Usage
from docnorm.schemas.run import RunSummary

OUTCOMES = tuple(outcome.value for outcome in Outcome)
SLOWEST = 10


class ProgressBoard:
    """A progress artifact, moved on after every micro-batch."""

    def __init__(self, run_id: str, total: int) -> None:
        self.total = total
        self.done = 0
        created = create_progress_artifact(
            progress=100.0 if total == 0 else 0.0,
            key="docnorm-run-progress",
            description=f"docnorm run {run_id}: documents processed of {total}",
        )
        assert isinstance(created, UUID)  # the sync API, called from a sync flow
        self._id = created

    def advance(self, documents: int) -> None:
        """Count ``documents`` more as done."""
        self.done += documents
        if self.total:
            update_progress_artifact(self._id, progress=round(100.0 * self.done / self.total, 1))


class SlowestDocuments:
    """The documents that took longest to parse, kept as a small heap while the run goes."""

    def __init__(self, keep: int = SLOWEST) -> None:
        self._keep = keep
        self._heap: list[tuple[float, str]] = []

    def add(self, seconds_by_doc: Mapping[str, float]) -> None:
        """Consider the parse times of another micro-batch."""
        for doc_id, seconds in seconds_by_doc.items():
            heapq.heappush(self._heap, (seconds, doc_id))
            if len(self._heap) > self._keep:
                heapq.heappop(self._heap)

    def slowest(self) -> list[tuple[str, float]]:
        """(doc_id, seconds), slowest first."""
        return [(doc_id, seconds) for seconds, doc_id in sorted(self._heap, reverse=True)]


def usage_of(results: Sequence[DocumentResult]) -> Usage:
    """LLM calls, tokens and cost summed over ``results``."""
    return sum((r.usage for r in results if r.usage is not None), Usage())


def summary_table(summary: RunSummary) -> list[dict[str, Any]]:
    """Documents by type × outcome, with LLM calls, tokens and cost per type."""
    rows = []
    for doc_type, counts in summary.by_type.items():
        usage = usage_of([r for r in summary.results if (r.doc_type or "unknown") == doc_type])
        rows.append(
            {
                "doc_type": doc_type,
                **{outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
                "llm_calls": usage.calls,
                "tokens": usage.prompt_tokens + usage.completion_tokens,
                "cost_usd": usage.cost_usd,
            }
        )
    return rows


def summary_markdown(
    summary: RunSummary,
    backlog: Mapping[str, Any],
    slowest: Sequence[tuple[str, float]],
    workbench_url: str | None = None,
) -> str:
    """The run in a page: outcomes, failures by reason, the review backlog (linked to the workbench,
    filtered to this run), reviewers' throughput and the slowest documents."""
    reasons = Counter(reason.code for r in summary.results if r.outcome is Outcome.REVIEW for reason in r.reasons)
    types = {r.doc_id: r.doc_type or "unknown" for r in summary.results if r.doc_id}
    outcomes = {r.doc_id: r.outcome.value for r in summary.results if r.doc_id}
    total = summary.usage
    lines = [
        f"# docnorm run `{summary.run_id}`",
        "",
        f"**{sum(summary.counts.values())} document(s)**: "
        + ", ".join(f"{summary.counts.get(o, 0)} {o}" for o in OUTCOMES),
        f"LLM: {total.calls} call(s), {total.prompt_tokens + total.completion_tokens} tokens, cost {total.cost_usd}",
        "",
        "## Failures by reason",
        "",
        *(_table(["reason", "documents"], reasons.most_common()) if reasons else ["None."]),
        "",
        "## Review backlog",
        "",
        f"{backlog['pending']} item(s) pending; oldest {backlog['oldest_age_hours']} h.",
        *(
            [f"Work this run's items in the [review workbench]({workbench_url.rstrip('/')}/?run={summary.run_id})."]
            if workbench_url and summary.counts.get("review")
            else []
        ),
        _throughput(backlog.get("throughput") or {}),
        "",
        *_table(
            ["stage", "doc type", "pending"],
            [(row["stage"], row["doc_type"], row["pending"]) for row in backlog["by_stage_and_type"]],
        ),
        "",
        "## Slowest documents (parse)",
        "",
        *_table(
            ["doc id", "doc type", "outcome", "seconds"],
            [(f"`{d[:12]}`", types.get(d, "unknown"), outcomes.get(d, "-"), f"{s:.2f}") for d, s in slowest],
        ),
        "",
        "## Time per stage (s)",
        "",
        *_table(["stage", "seconds"], list(summary.stage_seconds.items())),
    ]
    return "\n".join(lines) + "\n"


def _throughput(throughput: Mapping[str, Any]) -> str:
    rates = throughput.get("per_reviewer_per_hour") or {}
    median = throughput.get("median_hours_to_resolve")
    people = ", ".join(f"{name} {rate}/h" for name, rate in rates.items()) or "none in the last 24 h"
    return f"Reviewers' throughput (items resolved per hour): {people}; median time to resolve: {median} h."


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["None."]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


def tag_run(flow_run_id: UUID, tags: Sequence[str], by_type: Mapping[str, object]) -> None:
    """Tag the flow run with the doc types it processed (``doc_type:contract``…), once, at its end.

    Not task runs: Prefect 3.8 takes a concurrency lease per tag for every tagged task run, an API
    round trip each way, which cost 10 s per 1,000 documents on the benchmark (a sixth of the run).
    """
    from prefect.client.orchestration import get_client

    doc_tags = {f"doc_type:{doc_type}" for doc_type in by_type if doc_type != "unknown"}
    with get_client(sync_client=True) as client:
        client.update_flow_run(flow_run_id, tags=sorted({*tags, *doc_tags}))


def publish(
    summary: RunSummary,
    backlog: Mapping[str, Any],
    slowest: Sequence[tuple[str, float]],
    workbench_url: str | None = None,
) -> None:
    """The run's table and markdown artifacts."""
    total = summary.usage
    create_table_artifact(
        key="docnorm-run-summary",
        table=summary_table(summary),
        description=(
            f"docnorm run {summary.run_id}: documents by type and outcome; "
            f"{total.calls} LLM call(s), {total.prompt_tokens + total.completion_tokens} tokens, cost {total.cost_usd}"
        ),
    )
    create_markdown_artifact(
        key="docnorm-run-report",
        markdown=summary_markdown(summary, backlog, slowest, workbench_url),
        description=f"docnorm run {summary.run_id}: failures, review backlog, slowest documents",
    )
