"""Prefect flows that compose the stages; no stage logic lives here."""

from docnorm.flows.evaluate import evaluate
from docnorm.flows.process_batch import process_batch
from docnorm.flows.review_sync import review_sync

__all__ = ["evaluate", "process_batch", "review_sync"]
