"""Gold datasets: a folder of documents plus gold, in the Kleister layout or docnorm's own."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from docnorm.doctypes.builtin import REGISTRY
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.eval.fields import normalise_fields, normalise_value
from docnorm.keysets.base import KeySet
from docnorm.keysets.kleister import NDA
from docnorm.schemas.errors import ConfigError
from docnorm.schemas.evidence import Evidence
from docnorm.validators.provenance import record_facts

GoldValues = dict[str, list[str]]
Predicted = dict[str, list[tuple[str, Evidence | None]]]
"""Predicted values per key as extracted, each with the evidence of the record field it came from."""


@dataclass(frozen=True)
class GoldDocument:
    """One document and its gold key → values in compared form, the same values as the dataset writes
    them (``written``), and per key the other spellings a gold value may be matched by (compared alias →
    gold value)."""

    path: Path
    doc_type: str
    gold: GoldValues
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    written: GoldValues = field(default_factory=dict)


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
        """A predicted record (None when the pipeline produced none) as the dataset's values, with confidences."""
        ...

    def compare(self, key: str, value: str) -> str:
        """The form the dataset's metric compares ``value`` in (gold values are loaded in it)."""
        ...

    def bind(self, folder: Path) -> Layout:
        """This layout specialised to what ``folder``'s gold annotates."""
        ...

    def align(self, key: str, value: str, doc: GoldDocument) -> str:
        """A predicted value as the gold value it matches when the match is not string equality."""
        ...

    @property
    def groups(self) -> dict[str, frozenset[str]]:
        """Named subsets of keys whose micro scores the report gives too."""
        ...


@dataclass(frozen=True)
class KleisterLayout:
    """``documents/`` + ``gold.tsv``: ``FILE<TAB>key=value key=value``, sets per key.

    The keys say which dataset family it is (NDAs, SEC filings, ...), among the families the
    registered doc types declare (``DocTypeSpec.keysets``).
    """

    name: str = "kleister"
    doc_type: str = "contract"
    keyset: KeySet = NDA
    registry: DocTypeRegistry = REGISTRY

    def detect(self, folder: Path) -> bool:
        """A gold.tsv beside a documents/ folder."""
        return (folder / "gold.tsv").is_file() and (folder / "documents").is_dir()

    def bind(self, folder: Path) -> KleisterLayout:
        """This layout for the key family ``folder``'s gold.tsv uses."""
        rows = self._rows(folder)
        keys = {key for _, pairs in rows for key, _ in pairs}
        doc_type, keyset = keyset_for(keys, self.registry)
        return KleisterLayout(name=self.name, doc_type=doc_type, keyset=keyset, registry=self.registry)

    @property
    def groups(self) -> dict[str, frozenset[str]]:
        """The key family's groups."""
        return self.keyset.groups

    def load(self, folder: Path) -> list[GoldDocument]:
        """Documents and gold, values normalised by the key family."""
        aliases = self.keyset.aliases(folder) if self.keyset.aliases else {}
        docs = []
        for filename, pairs in self._rows(folder):
            gold: GoldValues = {}
            written: GoldValues = {}
            if not self.keyset.classification_only:
                for key, value in pairs:
                    gold.setdefault(key, []).append(self.keyset.normalise(key, value))
                    written.setdefault(key, []).append(value)
            path = folder / "documents" / filename
            docs.append(GoldDocument(path, self.doc_type, gold, aliases.get(filename, {}), written))
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
        """The key family's values of a record of the dataset's doc type."""
        if record is None or doc_type != self.doc_type or self.keyset.classification_only:
            return {}
        return {key: list(values) for key, values in self.keyset.extract(record).items()}

    def compare(self, key: str, value: str) -> str:
        """The key family's comparison (for Kleister NDA, the dataset's metric: upper case only)."""
        return self.keyset.normalise(key, value)

    def align(self, key: str, value: str, doc: GoldDocument) -> str:
        """The key family's alignment, then the dataset's alternative spellings."""
        gold = doc.gold.get(key, [])
        aligned = self.keyset.align(key, value, gold)
        return aligned if aligned in gold else doc.aliases.get(key, {}).get(aligned, aligned)


@dataclass(frozen=True)
class DocnormLayout:
    """``documents/`` + ``gold.jsonl``: ``{"file", "doc_type", "fields": {dotted.path: value or [values]}}``."""

    name: str = "docnorm"

    def detect(self, folder: Path) -> bool:
        """A gold.jsonl beside a documents/ folder."""
        return (folder / "gold.jsonl").is_file() and (folder / "documents").is_dir()

    def load(self, folder: Path) -> list[GoldDocument]:
        """Documents and gold fields by dotted path."""
        docs = []
        for number, line in enumerate((folder / "gold.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item: dict[str, Any] = json.loads(line)
                fields: dict[str, Any] = item["fields"]
                written = {key: [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]
                           for key, value in fields.items()}  # fmt: skip
                path = folder / "documents" / item["file"]
                docs.append(GoldDocument(path, item["doc_type"], normalise_fields(fields), written=written))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(
                    f"gold.jsonl line {number}: {type(exc).__name__}: expected file, doc_type, fields"
                ) from None
        return docs

    def bind(self, folder: Path) -> DocnormLayout:
        """This layout (it scores whatever fields the gold names)."""
        return self

    @property
    def groups(self) -> dict[str, frozenset[str]]:
        """No groups."""
        return {}

    def align(self, key: str, value: str, doc: GoldDocument) -> str:
        """The value unchanged: dotted paths compare by normalised value."""
        return value

    def predicted(self, record: BaseModel | None, doc_type: str | None) -> Predicted:
        """Every field of the record by dotted path, with its evidence."""
        out: Predicted = {}
        for fact in record_facts(record) if record is not None else []:
            out.setdefault(fact.field, []).append((str(fact.value), fact.evidence))
        return out

    def compare(self, key: str, value: str) -> str:
        """Formatting ignored: ISO dates, canonical decimals, case and spacing."""
        return normalise_value(value)


def keyset_for(keys: set[str], registry: DocTypeRegistry = REGISTRY) -> tuple[str, KeySet]:
    """The doc type and key family that annotate ``keys`` best; ConfigError when none shares a key."""
    families = [(spec.name, keyset) for spec in registry for keyset in spec.keysets]
    if families:
        doc_type, best = max(families, key=lambda family: len(family[1].keys & keys))
        if best.keys & keys:
            return doc_type, best
    raise ConfigError(f"gold.tsv keys match no known key set: {', '.join(sorted(keys)[:5])}")


def load_dataset(folder: Path, registry: DocTypeRegistry = REGISTRY) -> tuple[Layout, list[GoldDocument]]:
    """Detect the layout of ``folder`` and load its gold; ConfigError when it is neither."""
    if not folder.is_dir():
        raise ConfigError(f"dataset folder not found: {folder}")
    for layout in (KleisterLayout(registry=registry), DocnormLayout()):
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
