"""Prefect flows that compose the stages; no stage logic lives here."""

from docnorm.flows.process_batch import RunSummary, process_batch

__all__ = ["RunSummary", "process_batch"]
