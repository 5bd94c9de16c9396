"""The ``drop_folder`` flow: one pass over a drop folder, for a schedule (``docnorm serve``)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from docnorm.settings import load_settings
from docnorm.watcher import watch


@flow(name="drop_folder", validate_parameters=True, persist_result=False)
def drop_folder(inbox: str, out_dir: str | None = None) -> dict[str, int]:
    """Take over claims of dead watchers, then claim the files that are stable, process them in small
    batches (each a ``process_batch`` subflow) and file them in done/ or failed/ with receipts.

    Args:
        inbox: The drop folder.
        out_dir: Output folder; default from DOCNORM_OUT_DIR (out).
    """
    settings = load_settings(out_dir=out_dir)
    filed = watch(Path(inbox), settings, once=True)
    get_run_logger().info("drop folder pass: %d done, %d failed", filed.get("done", 0), filed.get("failed", 0))
    return filed
