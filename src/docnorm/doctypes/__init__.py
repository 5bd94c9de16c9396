"""Doc types: what a kind of document is (a pydantic model and a name) and what docnorm derives from it.

This package's root stays light so a plugin module can ``from docnorm import DocType`` without
loading parsers or validators; the registry, derivation and discovery live in its submodules.
"""

from docnorm.doctypes.declare import DocType, RecordCheck

__all__ = ["DocType", "RecordCheck"]
