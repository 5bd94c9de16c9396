"""The ``evaluate`` flow: score an extractor on a gold dataset and publish the scores in the Prefect UI."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from docnorm.eval.runner import EvalReport
from docnorm.eval.runner import evaluate as evaluate_dataset
from docnorm.settings import load_settings


@flow(name="evaluate", validate_parameters=True)
def evaluate(dataset_dir: str, extractor: str | None = None) -> EvalReport:
    """Run parse → classify → extract over ``dataset_dir`` and score against its gold.

    Args:
        dataset_dir: A folder with documents/ and gold.tsv (Kleister) or gold.jsonl (docnorm).
        extractor: Extractor kind; default from DOCNORM_EXTRACTOR (rules).
    """
    report = evaluate_dataset(Path(dataset_dir), load_settings(extractor=extractor))
    create_table_artifact(
        key="docnorm-eval",
        table=[{"key": key, **score.model_dump()} for key, score in report.per_key.items()]
        + [{"key": "micro", **report.micro.model_dump()}],
        description=(
            f"{report.extractor} on {report.dataset}: micro-F1 {report.micro.f1}, "
            f"classification accuracy {report.classification_accuracy}, {report.failures} failure(s)"
        ),
    )
    get_run_logger().info("evaluated %d documents of %s: micro-F1 %.4f", report.n_docs, report.dataset, report.micro.f1)
    return report
