"""Offline switches and telemetry opt-outs, applied before Prefect or unstructured is imported.

unstructured phones home at import and on every partition, Prefect's server sends a
heartbeat, and the Hugging Face hub retries downloads for 23 s before failing. docnorm
never downloads anything at run time, so all of that is switched off unless the user
has set the variable themselves.
"""

from __future__ import annotations

import logging
import os

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


# Libraries that log document text at DEBUG/DETAIL level: unstructured's trace logger prints every
# element it classifies; openai, instructor, httpx and httpcore print request and response bodies
# (the prompt holds the document). Documents may hold PHI, so these speak only of problems.
CONTENT_LOGGERS = (
    "unstructured",
    "unstructured.trace",
    "pdfminer",
    "pypdf",
    "docx",
    "PIL",
    "openai",
    "instructor",
    "httpx",
    "httpcore",
)


def apply_offline_defaults() -> None:
    """Set each offline/telemetry variable unless the environment already sets it; mute content loggers."""
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    for name in CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # pypdf warns about damage that intake already reports as a typed reason.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
