"""docnorm: documents in, validated analytics-ready Parquet tables and review queues out."""

from docnorm._environment import apply_offline_defaults

apply_offline_defaults()

__version__ = "0.1.0"
__all__ = ["__version__"]
