"""Gold datasets: a folder of documents plus gold, in the Kleister layout or docnorm's own."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from docnorm.eval import kleister
from docnorm.eval.fields import normalise_fields, normalise_value
from docnorm.schemas.errors import ConfigError
from docnorm.validators.confidence import field_confidence
from docnorm.validators.provenance import record_facts

GoldValues = dict[str, list[str]]
Predicted = dict[str, list[tuple[str, float | None]]]
"""Predicted values per key, each with its confidence (None when it has none)."""


@dataclass(frozen=True)
class GoldDocument:
    """One document and its gold key → values (already normalised for comparison)."""

    path: Path
    doc_type: str
    gold: GoldValues


class Layout(Protocol):
    """How a dataset folder stores gold, and how a predicted record becomes comparable values."""

    @property
    def name(self) -> str:
        """Shown in reports."""
        ...

    def detect(self, folder: Path) -> bool:
        """True when ``folder`` is in this layout."""
        ...

    def load(self, folder: Path) -> list[GoldDocument]:
        """The dataset's documents and gold."""
        ...

    def predicted(self, record: BaseModel | None, doc_type: str | None) -> Predicted:
        """A predicted record (None when the pipeline produced none) as comparable values with confidences."""
        ...


@dataclass(frozen=True)
class KleisterLayout:
    """``documents/`` + ``gold.tsv``: ``FILE<TAB>key=value key=value``, values upper-cased, sets per key."""

    name: str = "kleister"
    doc_type: str = "contract"
    keys: Callable[[BaseModel], dict[str, list[tuple[str, float]]]] = field(default=kleister.contract_keys)

    def detect(self, folder: Path) -> bool:
        return (folder / "gold.tsv").is_file() and (folder / "documents").is_dir()

    def load(self, folder: Path) -> list[GoldDocument]:
        docs = []
        with (folder / "gold.tsv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not row:
                    continue
                gold: GoldValues = {}
                for pair in " ".join(row[1:]).split():
                    key, _, value = pair.partition("=")
                    gold.setdefault(key, []).append(kleister.normalise(value))
                docs.append(GoldDocument(folder / "documents" / row[0], self.doc_type, gold))
        return docs

    def predicted(self, record: BaseModel | None, doc_type: str | None) -> Predicted:
        if record is None or doc_type != self.doc_type:
            return {}
        return {key: [(kleister.normalise(v), c) for v, c in values] for key, values in self.keys(record).items()}


@dataclass(frozen=True)
class DocnormLayout:
    """``documents/`` + ``gold.jsonl``: ``{"file", "doc_type", "fields": {dotted.path: value or [values]}}``."""

    name: str = "docnorm"

    def detect(self, folder: Path) -> bool:
        return (folder / "gold.jsonl").is_file() and (folder / "documents").is_dir()

    def load(self, folder: Path) -> list[GoldDocument]:
        docs = []
        for number, line in enumerate((folder / "gold.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item: dict[str, Any] = json.loads(line)
                docs.append(
                    GoldDocument(
                        folder / "documents" / item["file"], item["doc_type"], normalise_fields(item["fields"])
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(
                    f"gold.jsonl line {number}: {type(exc).__name__}: expected file, doc_type, fields"
                ) from None
        return docs

    def predicted(self, record: BaseModel | None, doc_type: str | None) -> Predicted:
        out: Predicted = {}
        for fact in record_facts(record) if record is not None else []:
            confidence = field_confidence(fact.value, fact.evidence) if fact.evidence is not None else None
            out.setdefault(fact.field, []).append((normalise_value(fact.value), confidence))
        return out


LAYOUTS: list[Layout] = [KleisterLayout(), DocnormLayout()]


def load_dataset(folder: Path) -> tuple[Layout, list[GoldDocument]]:
    """Detect the layout of ``folder`` and load its gold; ConfigError when it is neither."""
    if not folder.is_dir():
        raise ConfigError(f"dataset folder not found: {folder}")
    for layout in LAYOUTS:
        if layout.detect(folder):
            docs = layout.load(folder)
            missing = [d.path.name for d in docs if not d.path.is_file()]
            if missing:
                raise ConfigError(
                    f"{len(missing)} gold document(s) missing under {folder / 'documents'}, e.g. {missing[0]}"
                )
            return layout, docs
    raise ConfigError(f"{folder} has neither gold.tsv nor gold.jsonl next to a documents/ folder")
