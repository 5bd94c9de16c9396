"""Evaluation against gold data: dataset layouts, per-key metrics, the eval runner."""

from docnorm.eval.datasets import load_dataset
from docnorm.eval.metrics import Score, Tally
from docnorm.eval.runner import EvalReport, evaluate

__all__ = ["EvalReport", "Score", "Tally", "evaluate", "load_dataset"]
