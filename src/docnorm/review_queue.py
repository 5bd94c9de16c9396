"""What people do with the review queue: list, show, approve, correct, reject, re-ingest, export.

Resolving an item is one transaction that checks the item's version (and, on PostgreSQL,
locks its row), so two reviewers cannot both resolve it: the second gets ReviewConflict.
Approved and corrected records are written to the curated tables by ``sync``, exactly once, through
the same writer as a batch run (docnorm.sinks.curated).
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from docnorm.doctypes.builtin import REGISTRY
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.schemas.documents import DocumentResult, Outcome, Reason
from docnorm.schemas.errors import ConfigError, ReviewConflict
from docnorm.schemas.records import extracted_type, flatten_record, is_model, list_item, strip_optional
from docnorm.sinks import CuratedRecord, CuratedWriter, Origin, ReviewItem, open_database
from docnorm.sinks.curated import InTransaction, Refused
from docnorm.sinks.database import as_utc
from docnorm.sinks.parquet import UNWRITABLE
from docnorm.sinks.reviewers import ReviewEvent
from docnorm.validators.confidence import calibrator_version
from docnorm.validators.fit import CODE as FIT
from docnorm.validators.fit import unfit_tables
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import PROVENANCE, provenance_rows
from docnorm.validators.verdict import failures_by_document

STATUSES = ("pending", "approved", "corrected", "rejected")
RESOLVED = ("approved", "corrected")
WRITE_FAILED = "write_failed"
NOT_SYNCABLE: tuple[type[Exception], ...] = (ValidationError, *UNWRITABLE)


@dataclass
class Synced:
    """What one ``sync`` did: items written to the curated tables, and items sent back to pending."""

    synced: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


@dataclass
class ReviewQueue:
    """The queue at one database URL, with the doc types it validates against."""

    engine: Engine
    options: ValidationOptions
    registry: DocTypeRegistry = REGISTRY

    @classmethod
    def open(cls, url: str, options: ValidationOptions, registry: DocTypeRegistry = REGISTRY) -> ReviewQueue:
        """The queue at ``url`` (migrated to the current schema), validating against ``registry``'s doc types."""
        return cls(open_database(url), options, registry)

    def items(
        self,
        *,
        status: str | None = "pending",
        stage: str | None = None,
        doc_type: str | None = None,
        reason: str | None = None,
    ) -> list[ReviewItem]:
        """Items matching every given filter, oldest first."""
        query = select(ReviewItem).order_by(ReviewItem.created_at, ReviewItem.id)
        for column, value in ((ReviewItem.status, status), (ReviewItem.stage, stage), (ReviewItem.doc_type, doc_type)):
            if value is not None:
                query = query.where(column == value)
        with Session(self.engine) as session:
            found = list(session.scalars(query))
        return [i for i in found if reason is None or reason in {r["code"] for r in i.reasons}]

    def counts(self, status: str | None = "pending") -> Counter[tuple[str, str]]:
        """Items per (stage, doc type)."""
        return Counter((i.stage, i.doc_type or "unknown") for i in self.items(status=status))

    def get(self, item_id: int) -> ReviewItem:
        """One item; ConfigError when there is no such item."""
        with Session(self.engine) as session:
            item = session.get(ReviewItem, item_id)
        if item is None:
            raise ConfigError(f"no review item {item_id}")
        return item

    def approve(self, item_id: int, reviewer: str, expected_version: int | None = None) -> ReviewItem:
        """Accept the extracted record as it is (for example, a statement that truly does not balance)."""

        def approve(item: ReviewItem) -> list[Change]:
            _needs_record(item)
            assert item.record is not None and item.doc_type is not None
            # A failed check can be overruled by a person; a value its column cannot hold cannot be stored.
            if unstorable := [r for r in self.check(item.doc_type, item.record, item.doc_id) if r.code == FIT]:
                fields = ", ".join(str(r.field) for r in unstorable)
                raise ConfigError(
                    f"review item {item_id} cannot be approved as it is: {fields} does not fit its column"
                )
            item.status = "approved"
            return [("approved", None, "pending", "approved")]

        return self._resolve(item_id, reviewer, expected_version, approve)

    def reject(self, item_id: int, reviewer: str, note: str, expected_version: int | None = None) -> ReviewItem:
        """Keep the document out of the curated tables, with the reviewer's reason."""

        def reject(item: ReviewItem) -> list[Change]:
            item.status = "rejected"
            item.resolution_note = note
            return [("rejected", None, "pending", "rejected")]

        return self._resolve(item_id, reviewer, expected_version, reject)

    def correct(
        self,
        item_id: int,
        changes: Mapping[str, str],
        reviewer: str,
        expected_version: int | None = None,
        quotes: Mapping[str, str] | None = None,
    ) -> tuple[ReviewItem, list[Reason]]:
        """Apply ``path=value`` corrections (and ``path=quote``: the text a reviewer read a value from) and
        validate again.

        The item becomes ``corrected`` when the record passes every check; otherwise it
        stays pending with the new reasons (and keeps the corrections made so far).
        """
        outcome: list[Reason] = []

        def correct(item: ReviewItem) -> list[Change]:
            _needs_record(item)
            assert item.record is not None and item.doc_type is not None
            record, applied = self._corrected(item, changes)
            done: list[Change] = [
                ("corrected field", path, applied[path]["from"], applied[path]["to"]) for path in changes
            ]
            for path, quote in (quotes or {}).items():
                done.append(("quoted", path, _set_quote(record, path, quote), quote))
            reasons = self.check(item.doc_type, record, item.doc_id)
            item.record = record
            item.corrections = {**(item.corrections or {}), **applied}
            if reasons:
                item.reasons = [r.model_dump() for r in reasons]
                outcome.extend(reasons)
            else:
                item.status = "corrected"
                done.append(("corrected", None, "pending", "corrected"))
            return done

        item = self._resolve(item_id, reviewer, expected_version, correct)
        return item, outcome

    def _corrected(self, item: ReviewItem, changes: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The item's record with ``changes`` applied (a copy), and each change as {from, to}."""
        assert item.record is not None and item.doc_type is not None
        record = json.loads(json.dumps(item.record))
        model = self.registry[item.doc_type].model
        applied = {}
        for path, raw in changes.items():
            old = _set_path(record, path, _parse_value(raw), model)
            applied[path] = {"from": old, "to": _parse_value(raw)}
        return record, applied

    def would_fail(self, item_id: int, changes: Mapping[str, str]) -> list[str]:
        """What the checks would say of the item with ``changes`` applied, as messages; nothing is saved."""
        item = self.get(item_id)
        try:
            _needs_record(item)
            assert item.doc_type is not None
            record, _ = self._corrected(item, changes)
            reasons = self.check(item.doc_type, record, item.doc_id)
        except ConfigError as exc:
            return [str(exc)]
        return [f"{r.code}{f' ({r.field})' if r.field else ''}: {r.message}" for r in reasons]

    def audit(self, item_id: int) -> list[ReviewEvent]:
        """What reviewers did to the item, oldest first."""
        query = select(ReviewEvent).where(ReviewEvent.item_id == item_id).order_by(ReviewEvent.at, ReviewEvent.id)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def throughput(self, hours: float = 24.0) -> dict[str, Any]:
        """Items resolved per reviewer per hour over the last ``hours`` (over the span each worked, at least
        an hour), and the median hours from an item's arrival to its resolution."""
        since = datetime.now(UTC) - timedelta(hours=hours)
        # Three columns of the resolved items, not their records: this runs on every queue page.
        query = select(ReviewItem.reviewer, ReviewItem.reviewed_at, ReviewItem.created_at).where(
            ReviewItem.status != "pending", ReviewItem.reviewed_at.is_not(None)
        )
        with Session(self.engine) as session:
            resolved = [(who, as_utc(at), as_utc(arrived)) for who, at, arrived in session.execute(query)]
        per: dict[str, list[datetime]] = {}
        for who, at, _ in resolved:
            if at >= since and who:
                per.setdefault(who, []).append(at)
        rates = {
            name: round(len(times) / max(1.0, (max(times) - min(times)).total_seconds() / 3600), 1)
            for name, times in sorted(per.items())
        }
        waits = sorted((at - arrived).total_seconds() / 3600 for _, at, arrived in resolved)
        median = round(statistics.median(waits), 2) if waits else None
        return {"per_reviewer_per_hour": rates, "median_hours_to_resolve": median}

    def check(self, doc_type: str, record: dict[str, Any], doc_id: str) -> list[Reason]:
        """Every reason a record would not pass: schema errors first, then values their columns cannot hold,
        then the table checks, then (for a record the tables accept) the doc type's record checks."""
        spec = self.registry[doc_type]
        try:
            model = spec.model.model_validate(record)
        except ValidationError as exc:
            return [
                Reason(code="invalid_value", field=".".join(str(p) for p in e["loc"]), message=e["msg"])
                for e in exc.errors()
            ]
        rows = {table: [{"doc_id": doc_id, **row} for row in rows] for table, rows in spec.to_rows(model).items()}
        tables = spec.tables(self.options)
        provenance = [{"doc_id": doc_id, **row} for row in provenance_rows(model, tables, doc_type=doc_type)]
        unfit = unfit_tables([*tables, PROVENANCE], {**rows, PROVENANCE.name: provenance}).get(doc_id)
        if unfit:
            return unfit
        return failures_by_document(tables, rows).get(doc_id, []) or spec.check(model)

    def _check_quietly(self, doc_type: str, record: dict[str, Any], doc_id: str) -> list[Reason]:
        """:meth:`check`, or nothing for a record the checks themselves cannot read."""
        try:
            return self.check(doc_type, record, doc_id)
        except NOT_SYNCABLE:
            return []

    def _resolve(
        self, item_id: int, reviewer: str, expected_version: int | None, change: Callable[[ReviewItem], list[Change]]
    ) -> ReviewItem:
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                item = session.scalars(
                    select(ReviewItem).where(ReviewItem.id == item_id).with_for_update()
                ).one_or_none()
                if item is None:
                    raise ConfigError(f"no review item {item_id}")
                if item.status != "pending":
                    raise ReviewConflict(f"review item {item_id} was already {item.status} by {item.reviewer}")
                if expected_version is not None and item.version != expected_version:
                    raise ReviewConflict(f"review item {item_id} changed since version {expected_version}; reload it")
                changes = change(item)
                now = datetime.now(UTC)
                item.reviewer, item.reviewed_at, item.updated_at = reviewer, now, now
                # The audit trail is written in the transaction that changes the item.
                for action, path, before, after in changes:
                    session.add(ReviewEvent(item_id=item_id, reviewer=reviewer, action=action, field=path,
                                            before=before, after=after, at=now))  # fmt: skip
            return item
        except StaleDataError:
            raise ReviewConflict(f"review item {item_id} was resolved by someone else meanwhile") from None

    def sync(self, writer: CuratedWriter) -> Synced:
        """Write approved and corrected records through the run's curated writer, once each. An item is
        marked synced in the transaction that commits its files; an item whose record cannot be written
        goes back to pending with a ``write_failed`` reason, and the others sync."""
        done = Synced()
        for item in self.items(status=None):
            if item.status not in RESOLVED or item.synced_at is not None or item.doc_type is None:
                continue
            try:
                record = self._curated(item)
            except NOT_SYNCABLE as exc:  # a record the doc type no longer reads
                self._sync_failed(item.id, type(exc).__name__)
                done.failed.append(item.id)
                continue
            written = writer.write(f"review-{item.id}-v{item.version}", [record], _mark_synced(item.id))
            if written.refused:
                self._sync_failed(item.id, written.refused[0].error)
                done.failed.append(item.id)
            else:
                done.synced.append(item.id)
        return done

    def _sync_failed(self, item_id: int, error: str) -> None:
        """Back to pending, saying why (and which values their columns cannot hold), so a reviewer can correct
        what could not be stored."""
        reason = Reason(code=WRITE_FAILED, message=f"the resolved record could not be written ({error})")
        with Session(self.engine) as session, session.begin():
            item = session.get(ReviewItem, item_id)
            assert item is not None and item.doc_type is not None and item.record is not None
            unfit = [r for r in self._check_quietly(item.doc_type, item.record, item.doc_id) if r.code == FIT]
            before = item.status
            now = datetime.now(UTC)
            item.status, item.updated_at = "pending", now
            item.reasons = [r.model_dump() for r in [*unfit, reason]]
            session.add(ReviewEvent(item_id=item_id, reviewer="docnorm", action="sync failed", field=None,
                                    before=before, after="pending", at=now))  # fmt: skip

    def _curated(self, item: ReviewItem) -> CuratedRecord:
        assert item.doc_type is not None
        spec = self.registry[item.doc_type]
        model = spec.model.model_validate(item.record)
        rows = spec.to_rows(model)
        tables = spec.tables(self.options)
        changed = frozenset((item.corrections or {}).keys())
        result = DocumentResult(
            source_uri=item.source_uri, doc_id=item.doc_id, doc_type=item.doc_type, outcome=Outcome.CURATED
        )
        origin = Origin("review", review_resolution=item.status, reviewer=item.reviewer,
                        reviewed_at=item.reviewed_at or datetime.now(UTC),
                        calibrator_version=calibrator_version(item.doc_type))  # fmt: skip
        provenance = provenance_rows(model, tables, changed=changed, doc_type=item.doc_type)
        return CuratedRecord.of(result, origin, tables, rows, provenance)

    def export_rows(self, status: str | None = None) -> list[dict[str, Any]]:
        """Items as flat rows for Parquet or JSONL (reasons and record as JSON text)."""
        return [
            {
                "id": i.id,
                "doc_id": i.doc_id,
                "source_uri": i.source_uri,
                "doc_type": i.doc_type,
                "stage": i.stage,
                "status": i.status,
                "reasons": json.dumps(i.reasons),
                "record": json.dumps(i.record),
                "corrections": json.dumps(i.corrections),
                "reviewer": i.reviewer,
                "resolution_note": i.resolution_note,
                "created_at": i.created_at,
                "reviewed_at": i.reviewed_at,
            }  # fmt: skip
            for i in self.items(status=status)
        ]

    def export_gold(self, folder: Path) -> int:
        """Resolved records as a gold set in docnorm's evaluation layout; returns the document count."""
        documents = folder / "documents"
        documents.mkdir(parents=True, exist_ok=True)
        lines = []
        for item in self.items(status=None):
            if item.status not in RESOLVED or item.doc_type is None:
                continue
            source = Path(unquote(urlparse(item.source_uri).path))
            if not source.is_file():
                continue
            name = f"{item.doc_id[:12]}{source.suffix}"
            shutil.copyfile(source, documents / name)
            model = self.registry[item.doc_type].model.model_validate(item.record)
            fields = {path: [_jsonable(v) for v in values] for path, values in flatten_record(model).items()}
            lines.append(json.dumps({"file": name, "doc_type": item.doc_type, "fields": fields}))
        (folder / "gold.jsonl").write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        return len(lines)

    def backlog(self) -> dict[str, Any]:
        """Pending items by stage × doc type and the age of the oldest, for the Prefect artifact."""
        pending = self.items()
        oldest = min((i.created_at for i in pending), default=None)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return {
            "throughput": self.throughput(),
            "pending": len(pending),
            "by_stage_and_type": [
                {"stage": stage, "doc_type": doc_type, "pending": n}
                for (stage, doc_type), n in sorted(self.counts().items())
            ],
            "oldest_age_hours": round((datetime.now(UTC) - oldest).total_seconds() / 3600, 2) if oldest else None,
        }


Change = tuple[str, str | None, Any, Any]
"""One audited change: action, field (None for the item as a whole), from, to."""


def record_values(record: dict[str, Any]) -> list[tuple[str, Any, dict[str, Any] | None]]:
    """Every leaf of a stored record as (dotted path with list indexes, value, evidence of its field or item)."""
    out: list[tuple[str, Any, dict[str, Any] | None]] = []

    def walk(node: Any, path: str, inherited: dict[str, Any] | None) -> None:
        if isinstance(node, dict) and "value" in node and set(node) <= {"value", "evidence"}:
            out.append((path, node["value"], node.get("evidence")))
        elif isinstance(node, dict):
            own = node.get("evidence") if "evidence" in node else inherited
            for key, value in node.items():
                if key != "evidence":
                    walk(value, f"{path}.{key}" if path else key, own)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}.{index}", inherited)
        else:
            out.append((path, node, inherited))

    walk(record, "", None)
    return out


def _needs_record(item: ReviewItem) -> None:
    if item.record is None or item.doc_type is None:
        raise ConfigError(
            f"review item {item.id} stopped at {item.stage} and has no extracted record: "
            "reject it, or fix the source file and run it again"
        )


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _set_path(record: dict[str, Any], path: str, value: Any, model: type[BaseModel]) -> Any:
    """Set ``path`` (dots, list indexes as numbers) in the record; an extracted field's value is set."""
    node: Any = record
    parts = path.split(".")
    for part in parts[:-1]:
        node = _step(node, part, path)
    last = parts[-1]
    if isinstance(node, list):
        raise ConfigError(f"--set {path}: name a field of item {last}, e.g. {path}.name")
    if last not in node:
        raise ConfigError(f"--set {path}: the record has no field {last!r}; known: {', '.join(sorted(node))}")
    current = node[last]
    if isinstance(current, dict) and "value" in current:
        old = current["value"]
        current["value"] = value
        return old
    if current is None and isinstance(value, str | int | float | bool):
        node[last] = {"value": value, "evidence": None} if _is_extracted_field(model, path) else value
        return None
    node[last] = value
    return current


def _set_quote(record: dict[str, Any], path: str, quote: str) -> str | None:
    """Make ``quote`` (a reviewer's, not verified) the evidence of the field at ``path``, or of the item that
    holds it when the item carries the evidence (a party, a diagnosis); returns the old quote."""
    parts = path.split(".")
    parent: Any = record
    for part in parts[:-1]:
        parent = _step(parent, part, path)
    leaf = _step(parent, parts[-1], path)
    if isinstance(leaf, dict) and "value" in leaf:
        holder = leaf
    elif isinstance(parent, dict) and "evidence" in parent:
        holder = parent
    else:
        raise ConfigError(f"{path} has no quote of its own; correct its value")
    old = (holder.get("evidence") or {}).get("quote")
    holder["evidence"] = {"quote": quote, "verified": False, "method": "reviewer"}
    return str(old) if old is not None else None


def _step(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ConfigError(f"--set {path}: {part!r} is not an item number below {len(node)}")
        return node[int(part)]
    if not isinstance(node, dict) or part not in node or node[part] is None:
        raise ConfigError(f"--set {path}: the record has no {part!r} to descend into")
    return node[part]


def _is_extracted_field(model: type[BaseModel], path: str) -> bool:
    """Whether ``path`` names an Extracted field of ``model`` (then a value is set as {value, evidence})."""
    annotation: Any = model
    for part in path.split("."):
        item = list_item(annotation)
        annotation = item if item is not None else strip_optional(annotation)
        if item is not None and part.isdigit():
            continue
        if not is_model(annotation) or part not in annotation.model_fields:
            return False
        annotation = annotation.model_fields[part].annotation
    return extracted_type(strip_optional(annotation)) is not None


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else str(value)


def _mark_synced(item_id: int) -> InTransaction:
    def mark(session: Session, refused: Sequence[Refused]) -> None:
        if refused:
            return
        stored = session.get(ReviewItem, item_id)
        assert stored is not None
        stored.synced_at = datetime.now(UTC)

    return mark
