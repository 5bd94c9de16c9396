"""docnorm: documents in, validated analytics-ready Parquet tables and review queues out."""

from importlib.metadata import version

from docnorm._environment import apply_offline_defaults

apply_offline_defaults()

# The version is written once, in pyproject.toml; this is the installed package's.
__version__ = version("docnorm")
__all__ = ["__version__"]
