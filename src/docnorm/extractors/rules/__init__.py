"""Rules extractors: deterministic, offline extraction, one module per kind of document."""
