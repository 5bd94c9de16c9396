"""Test doubles shipped with docnorm, for its tests and benchmarks (and yours): no real model behind them."""

from docnorm.testing.llm_double import Faults, OpenAITestDouble

__all__ = ["Faults", "OpenAITestDouble"]
