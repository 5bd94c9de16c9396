"""The doc-type registry: each declared ``DocType`` compiled once into what the stages use.

Compiling checks the declaration (name, model, cues, checks, derivable tables) and fails with a
``DocTypeError`` that names the problem; the stages never branch on a doc type's name.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandera.pandas as pa_checks
from pydantic import BaseModel, ValidationError

from docnorm.doctypes.declare import DocType, RecordCheck, TableLayout
from docnorm.doctypes.derived import DerivedTables
from docnorm.doctypes.evidenced import evidenced, lift, plain
from docnorm.extractors.base import Reread
from docnorm.extractors.classify import Cue
from docnorm.extractors.llm.grounding import Grounder
from docnorm.keysets.base import KeySet
from docnorm.schemas.documents import ParsedDocument, Reason
from docnorm.schemas.errors import ConfigError
from docnorm.schemas.records import is_model
from docnorm.schemas.tables import Row, TableSpec
from docnorm.validators.options import ValidationOptions

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED_TABLES = frozenset({"field_provenance"})
_MAX_MODEL_ERRORS = 10


class DocTypeError(ConfigError):
    """A doc type declaration docnorm cannot use; the message names the doc type and the problem."""


@dataclass(frozen=True)
class LiftedRules:
    """A plugin's rules, whose plain records get evidence where their values are found in the document."""

    rules: Callable[[ParsedDocument], BaseModel]
    model: type[BaseModel]

    def __call__(self, doc: ParsedDocument) -> BaseModel:
        """The rules' record, evidenced."""
        grounder = Grounder(doc)
        return lift(self.rules(doc), self.model, lambda text: _by_rules(grounder.find(text)))


def _by_rules(evidence: Any) -> Any:
    return evidence.model_copy(update={"method": "rules"}) if evidence is not None else None


@dataclass(frozen=True)
class DocTypeSpec:
    """Everything docnorm knows about one doc type, compiled from its ``DocType``."""

    declaration: DocType
    model: type[BaseModel]
    """The model extracted into: the declared model with evidence on every value."""
    cues: tuple[Cue, ...]
    rules: Callable[[ParsedDocument], BaseModel] | None
    layout: TableLayout
    record_checks: tuple[RecordCheck, ...]
    origin: str
    """Where the declaration came from, e.g. ``built-in`` or ``entry point invoices (docnorm-invoices 0.1)``."""
    ref: str | None = None
    """``module:attribute`` the declaration is importable from; how the spec travels to other processes."""

    @property
    def name(self) -> str:
        """The doc type's name."""
        return self.declaration.name

    @property
    def declared(self) -> type[BaseModel]:
        """The model as the user declared it (values only)."""
        return self.declaration.model

    @property
    def description(self) -> str:
        """What documents of this kind are."""
        return self.declaration.description

    @property
    def reread(self) -> Reread | None:
        """The hybrid extractor's second chance for unread parts, if any."""
        return self.declaration.reread

    @property
    def keysets(self) -> Sequence[KeySet]:
        """Public datasets' key families that label this doc type."""
        return self.declaration.keysets

    def tables(self, options: ValidationOptions) -> list[TableSpec]:
        """The doc type's curated tables and their checks."""
        return self.layout.tables(options)

    def to_rows(self, record: BaseModel) -> dict[str, list[Row]]:
        """Flatten a record of this type into rows of its tables."""
        if not isinstance(record, self.model):
            raise TypeError(f"{self.name} expects {self.model.__name__}, got {type(record).__name__}")
        return self.layout.rows(record)

    def check(self, record: BaseModel) -> list[Reason]:
        """The record's failures of the declared model's own validation and of the declared record checks."""
        if not self.record_checks and self.declared is self.model:
            return []
        try:
            values = plain(record, self.declared)
        except ValidationError as exc:
            return [_model_reason(self.name, error) for error in exc.errors()[:_MAX_MODEL_ERRORS]]
        return [reason for check in self.record_checks for reason in _run_check(check, values)]

    def __reduce__(self) -> tuple[Any, ...]:
        # Derived models are made at run time and do not pickle; a worker compiles the same declaration.
        if self.ref is not None:
            return (spec_from_ref, (self.ref, self.origin))
        return (compile_doc_type, (self.declaration, self.origin))


def _model_reason(doc_type: str, error: Any) -> Reason:
    where = ".".join(str(part) for part in error["loc"]) or doc_type
    # pydantic's msg states the rule broken, never the input; the input itself is left out.
    return Reason(code="model_invalid", field=f"{doc_type}.{where}", message=f"{where}: {error['msg']}")


def _run_check(check: RecordCheck, record: BaseModel) -> list[Reason]:
    name = check_name(check)
    try:
        result = check(record)
    except Exception as exc:  # a check's bug costs this document a review, never the batch
        return [Reason(code=name, message=f"check {name} raised {type(exc).__name__}")]
    if result is None or result == [] or result == ():
        return []
    items: Iterable[Any] = [result] if isinstance(result, str) else result
    reasons = []
    for item in items:
        code, message = item if isinstance(item, tuple) else (name, item)
        reasons.append(Reason(code=str(code), message=str(message)))
    return reasons


def check_name(check: Any) -> str:
    """The reason code a check's failures carry: the pandera check's name or the function's."""
    return str(getattr(check, "name", None) or getattr(check, "__name__", type(check).__name__))


def cue_of(cue: Any, doc_type: str) -> Cue:
    """A Cue from a plain phrase (whole words, any case), a compiled regex, or a Cue."""
    if isinstance(cue, Cue):
        return cue
    try:
        if isinstance(cue, str) and cue.strip():
            words = cue.split()
            edge = (r"\b" if words[0][0].isalnum() else "", r"\b" if words[-1][-1].isalnum() else "")
            return Cue(cue, edge[0] + r"\s+".join(re.escape(word) for word in words) + edge[1])
        if isinstance(cue, re.Pattern):
            return Cue(cue.pattern, cue.pattern)
    except re.error as exc:
        raise DocTypeError(f"doc type {doc_type!r}: cue {cue!r} is not a valid regex ({exc})") from None
    raise DocTypeError(f"doc type {doc_type!r}: a cue must be a phrase, a compiled regex or a Cue, not {cue!r}")


def compile_doc_type(declaration: DocType, origin: str = "built-in", ref: str | None = None) -> DocTypeSpec:
    """Check ``declaration`` and compile it; DocTypeError names what is wrong."""
    if not isinstance(declaration, DocType):
        raise DocTypeError(f"expected a docnorm.DocType, got {type(declaration).__name__}")
    name = declaration.name
    if not isinstance(name, str) or not _NAME.match(name):
        raise DocTypeError(f"doc type name {name!r} must be lower_snake_case (letters, digits, _), at most 63 chars")
    model = declaration.model
    if not is_model(model):
        raise DocTypeError(f"doc type {name!r}: model must be a pydantic BaseModel class, not {model!r}")
    if not isinstance(declaration.description, str):
        raise DocTypeError(f"doc type {name!r}: description must be text")
    if declaration.rules is not None and not callable(declaration.rules):
        raise DocTypeError(f"doc type {name!r}: rules must be a function from a parsed document to a record")
    table_checks, record_checks = _split_checks(declaration.checks, name)
    table = declaration.table or name
    if not _NAME.match(table):
        raise DocTypeError(f"doc type {name!r}: table name {table!r} must be lower_snake_case")
    try:
        extracted = evidenced(model)
        layout = declaration.layout or DerivedTables(model, table, tuple(table_checks))
        layout.tables(ValidationOptions())
    except ConfigError as exc:
        raise DocTypeError(f"doc type {name!r}: {exc}") from None
    except Exception as exc:  # pydantic refusing to rebuild a model names only its own type
        raise DocTypeError(f"doc type {name!r}: model {model.__name__} cannot be used ({type(exc).__name__})") from None
    rules = declaration.rules
    if rules is not None and extracted is not model:
        rules = LiftedRules(rules, model)
    cues = tuple(cue_of(cue, name) for cue in declaration.cues)
    return DocTypeSpec(declaration, extracted, cues, rules, layout, tuple(record_checks), origin, ref)


def _split_checks(checks: Sequence[Any], name: str) -> tuple[list[pa_checks.Check], list[RecordCheck]]:
    table: list[pa_checks.Check] = []
    record: list[RecordCheck] = []
    for check in checks:
        if isinstance(check, pa_checks.Check):
            table.append(check)
        elif callable(check) and getattr(check, "__name__", "<lambda>") != "<lambda>":
            record.append(check)
        else:
            raise DocTypeError(
                f"doc type {name!r}: a check must be a pandera Check or a named function over the record, not {check!r}"
            )
    return table, record


@cache
def spec_from_ref(ref: str, origin: str) -> DocTypeSpec:
    """The doc type declared at ``module:attribute``, compiled (once per process)."""
    module, _, attribute = ref.partition(":")
    try:
        declaration = getattr(importlib.import_module(module), attribute)
    except Exception as exc:  # any import-time error of a plugin is the plugin's, reported as such
        raise DocTypeError(f"cannot be imported ({type(exc).__name__}: {exc})") from None
    return compile_doc_type(declaration, origin, ref)


class DocTypeRegistry:
    """Doc types by name, in registration order; names and table names are unique."""

    def __init__(self, specs: Iterable[DocTypeSpec] = ()) -> None:
        self._specs: dict[str, DocTypeSpec] = {}
        self._tables: dict[str, str] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: DocTypeSpec) -> None:
        """Add a compiled doc type; DocTypeError when its name or a table name is taken."""
        if spec.name in self._specs:
            raise DocTypeError(
                f"doc type {spec.name!r} ({spec.origin}) is already registered ({self[spec.name].origin})"
            )
        names = [table.name for table in spec.tables(ValidationOptions())]
        for table in names:
            owner = self._tables.get(table, "docnorm" if table in _RESERVED_TABLES else None)
            if owner is not None:
                raise DocTypeError(f"doc type {spec.name!r} ({spec.origin}): table {table!r} is already {owner}'s")
        self._specs[spec.name] = spec
        self._tables.update(dict.fromkeys(names, spec.name))

    def __getitem__(self, name: str) -> DocTypeSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise ConfigError(f"unknown doc type {name!r}; known: {', '.join(self._specs)}") from None

    def __iter__(self) -> Iterator[DocTypeSpec]:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def names(self) -> list[str]:
        """Registered doc type names."""
        return list(self._specs)

    def __reduce__(self) -> tuple[Any, ...]:
        return (DocTypeRegistry, (list(self._specs.values()),))
