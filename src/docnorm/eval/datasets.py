"""Gold datasets: a folder of documents plus gold, in the Kleister layout or docnorm's own."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from docnorm.eval import filings, kleister
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

    def bind(self, folder: Path) -> Layout:
        """This layout specialised to what ``folder``'s gold annotates."""
        ...

    def align(self, key: str, value: str, gold: list[str]) -> str:
        """A predicted value as the gold value it matches when the match is not string equality."""
        ...


@dataclass(frozen=True)
class KeySet:
    """One family of Kleister-style gold keys: the doc type it labels, how a record yields its keys,
    and how values are brought to a comparable form."""

    name: str
    doc_type: str
    keys: frozenset[str]
    extract: Callable[[BaseModel], dict[str, list[tuple[str, float]]]]
    normalise: Callable[[str, str], str]
    align: Callable[[str, str, list[str]], str] = field(default=lambda key, value, gold: value)


KEYSETS: list[KeySet] = [
    KeySet(
        "kleister-nda",
        "contract",
        frozenset({"party", "effective_date", "jurisdiction", "term"}),
        kleister.contract_keys,
        lambda key, value: kleister.normalise(value),
    ),
    KeySet(
        "sec-filings",
        "financial_statement",
        frozenset({"entity_name", "document_type", "period_end", "currency", *filings.FIGURES}),
        filings.filing_keys,
        filings.normalise,
        filings.align,
    ),
]


def keyset_for(keys: set[str]) -> KeySet:
    """The key family that annotates ``keys`` best; ConfigError when none shares a key."""
    best = max(KEYSETS, key=lambda keyset: len(keyset.keys & keys))
    if not best.keys & keys:
        raise ConfigError(f"gold.tsv keys match no known key set: {', '.join(sorted(keys)[:5])}")
    return best


@dataclass(frozen=True)
class KleisterLayout:
    """``documents/`` + ``gold.tsv``: ``FILE<TAB>key=value key=value``, sets per key.

    The keys say which dataset family it is (NDAs, SEC filings, ...): see KEYSETS.
    """

    name: str = "kleister"
    keyset: KeySet = KEYSETS[0]

    def detect(self, folder: Path) -> bool:
        return (folder / "gold.tsv").is_file() and (folder / "documents").is_dir()

    def bind(self, folder: Path) -> KleisterLayout:
        rows = self._rows(folder)
        keys = {key for _, pairs in rows for key, _ in pairs}
        return KleisterLayout(name=self.name, keyset=keyset_for(keys))

    def load(self, folder: Path) -> list[GoldDocument]:
        docs = []
        for filename, pairs in self._rows(folder):
            gold: GoldValues = {}
            for key, value in pairs:
                gold.setdefault(key, []).append(self.keyset.normalise(key, value))
            docs.append(GoldDocument(folder / "documents" / filename, self.keyset.doc_type, gold))
        return docs

    @staticmethod
    def _rows(folder: Path) -> list[tuple[str, list[tuple[str, str]]]]:
        rows = []
        with (folder / "gold.tsv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row:
                    pairs = [pair.partition("=") for pair in " ".join(row[1:]).split()]
                    rows.append((row[0], [(key, value) for key, _, value in pairs]))
        return rows

    def predicted(self, record: BaseModel | None, doc_type: str | None) -> Predicted:
        if record is None or doc_type != self.keyset.doc_type:
            return {}
        return {
            key: [(self.keyset.normalise(key, v), c) for v, c in values]
            for key, values in self.keyset.extract(record).items()
        }

    def align(self, key: str, value: str, gold: list[str]) -> str:
        return self.keyset.align(key, value, gold)


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

    def bind(self, folder: Path) -> DocnormLayout:
        return self

    def align(self, key: str, value: str, gold: list[str]) -> str:
        return value

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
            layout = layout.bind(folder)
            docs = layout.load(folder)
            missing = [d.path.name for d in docs if not d.path.is_file()]
            if missing:
                raise ConfigError(
                    f"{len(missing)} gold document(s) missing under {folder / 'documents'}, e.g. {missing[0]}"
                )
            return layout, docs
    raise ConfigError(f"{folder} has neither gold.tsv nor gold.jsonl next to a documents/ folder")
