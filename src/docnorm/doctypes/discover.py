"""Finding doc types: the built-in ones, installed plugins (entry points) and ``DOCNORM_DOCTYPES``.

A plugin that does not import or declares something docnorm cannot use stops start-up with one
``PluginError`` line naming it; a doc type is never silently missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from docnorm.doctypes.builtin import builtin_specs
from docnorm.doctypes.registry import DocTypeError, DocTypeRegistry, DocTypeSpec, spec_from_ref
from docnorm.settings import Settings

ENTRY_POINT_GROUP = "docnorm.doctypes"
"""Packages declare their doc types here: ``[project.entry-points."docnorm.doctypes"] invoice = "pkg:INVOICE"``."""


class PluginError(DocTypeError):
    """A doc-type plugin failed to load; the one-line message names the plugin and the problem."""


def load_registry(references: Iterable[str] = ()) -> DocTypeRegistry:
    """Built-in doc types, then installed plugins, then ``references`` (``module:attribute``), in that order."""
    registry = DocTypeRegistry(builtin_specs())
    plugins = [(_entry_point_ref(point), _entry_point_origin(point)) for point in _entry_points()]
    plugins += [(ref, f"DOCNORM_DOCTYPES {ref}") for ref in references]
    for ref, origin in plugins:
        spec = _load(ref, origin)
        try:
            registry.register(spec)
        except DocTypeError as exc:
            raise PluginError(f"doc type plugin {ref} ({origin}): {_one_line(str(exc))}") from None
    return registry


def registry_for(settings: Settings) -> DocTypeRegistry:
    """The doc types a run with ``settings`` knows: built-in, installed, and ``DOCNORM_DOCTYPES``."""
    return load_registry(settings.doctypes)


def _entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)


def _entry_point_ref(point: EntryPoint) -> str:
    return f"{point.module}:{point.attr}" if point.attr else point.module


def _entry_point_origin(point: EntryPoint) -> str:
    dist = point.dist
    package = f"{dist.name} {dist.version}" if dist is not None else "unknown package"
    return f"entry point {point.name} ({package})"


def _load(ref: str, origin: str) -> DocTypeSpec:
    if ":" not in ref:
        raise PluginError(f"doc type plugin {ref} ({origin}): expected module:attribute")
    try:
        return spec_from_ref(ref, origin)
    except DocTypeError as exc:
        raise PluginError(f"doc type plugin {ref} ({origin}): {_one_line(str(exc))}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]
