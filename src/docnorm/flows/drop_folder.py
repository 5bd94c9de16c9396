"""The ``drop_folder`` flow: one pass over a drop folder, for a schedule (``docnorm serve``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefect import flow, get_run_logger

from docnorm.flows.process_batch import run_flow
from docnorm.settings import Settings, load_settings
from docnorm.watcher import Runner, watch


def run_in_process(paths: Sequence[str], settings: Settings) -> str:
    """Run ``process_batch`` here, as a flow run of its own."""
    return run_flow(paths, settings).run_id


def run_deployment_named(name: str) -> Runner:
    """Have a served ``process_batch`` deployment do the work (``docnorm serve``), and wait for it."""

    def run(paths: Sequence[str], settings: Settings) -> str:
        from prefect.client.schemas.objects import FlowRun
        from prefect.deployments import run_deployment

        flow_run = run_deployment(
            name, parameters={"inputs": list(paths), "out_dir": str(settings.out_dir)}, timeout=None
        )
        assert isinstance(flow_run, FlowRun)  # the sync API
        if flow_run.state is None or not flow_run.state.is_completed():
            raise RuntimeError(f"flow run {flow_run.id} ended {flow_run.state.name if flow_run.state else 'unknown'}")
        return str(flow_run.id)

    return run


@flow(name="drop_folder", validate_parameters=True, persist_result=False)
def drop_folder(inbox: str, out_dir: str | None = None) -> dict[str, int]:
    """Take over claims of dead watchers, then claim the files that are stable, process them in small
    batches (each a ``process_batch`` subflow) and file them in done/ or failed/ with receipts.

    Args:
        inbox: The drop folder.
        out_dir: Output folder; default from DOCNORM_OUT_DIR (out).
    """
    settings = load_settings(out_dir=out_dir)
    filed = watch(Path(inbox), settings, run_in_process, once=True)
    get_run_logger().info("drop folder pass: %d done, %d failed", filed.get("done", 0), filed.get("failed", 0))
    return filed
