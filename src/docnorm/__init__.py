"""docnorm: documents in, validated analytics-ready Parquet tables and review queues out."""

from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from docnorm._environment import apply_offline_defaults

if TYPE_CHECKING:
    from docnorm.doctypes.declare import DocType

apply_offline_defaults()

# The version is written once, in pyproject.toml; this is the installed package's.
__version__ = version("docnorm")
__all__ = ["DocType", "__version__"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `import docnorm` stays as light as it was.
    if name == "DocType":
        from docnorm.doctypes.declare import DocType

        return DocType
    raise AttributeError(f"module 'docnorm' has no attribute {name!r}")
