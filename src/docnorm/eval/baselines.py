"""The recorded scores of each gold set: updated only upward unless a reason is given, and the one
source of the score table in docs/evaluation.md.

Every figure says how it was measured: ``dev`` (the rules were written while looking at this set, so
it is in-sample for them), ``synthetic`` (generated alongside the rules), or ``out of fold`` (a fitted
part measured only on documents it was not fitted on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docnorm.eval.runner import EvalReport
from docnorm.schemas.errors import ConfigError

Baselines = dict[str, dict[str, Any]]

TABLE_START = "<!-- scores:start (generated from benchmarks/eval_baselines.json by `make eval`) -->"
TABLE_END = "<!-- scores:end -->"
TOLERANCE = 0.0005
"""Rounding noise that does not count as lowering a score."""


def load(path: Path) -> Baselines:
    """The baselines file, or an empty set when there is none."""
    baselines: Baselines = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return baselines


def save(path: Path, baselines: Baselines) -> None:
    """Write the baselines file, keys sorted (it is reviewed in diffs)."""
    path.write_text(json.dumps(baselines, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def headline(report: EvalReport) -> float:
    """The one number a set is judged by: micro-F1, or classification accuracy for a labels-only set."""
    return report.classification_accuracy if not report.per_key else report.micro.f1


def update(
    baselines: Baselines, reports: Mapping[str, EvalReport], allow_lower: str | None = None, today: str | None = None
) -> Baselines:
    """``baselines`` with each report's scores recorded. A headline score below its baseline is refused
    (ConfigError naming the sets) unless ``allow_lower`` gives the reason, which is kept in the set's
    ``history``."""
    lowered = {
        name: (baselines[name]["score"], headline(report))
        for name, report in reports.items()
        if "score" in baselines.get(name, {}) and headline(report) < baselines[name]["score"] - TOLERANCE
    }
    if lowered and not allow_lower:
        listed = ", ".join(f"{name} {old} → {new}" for name, (old, new) in sorted(lowered.items()))
        raise ConfigError(f"refusing to lower baselines ({listed}); say why with --allow-lower REASON")
    when = today or datetime.now(UTC).date().isoformat()
    updated = {name: dict(entry) for name, entry in baselines.items()}
    for name, report in reports.items():
        entry = updated.setdefault(name, {})
        if name in lowered:
            old, new = lowered[name]
            entry.setdefault("history", []).append({"date": when, "from": old, "to": new, "reason": allow_lower})
        entry.update(
            extractor=report.extractor,
            n_docs=report.n_docs,
            score=headline(report),
            per_key={key: score.f1 for key, score in report.per_key.items()},
            groups={group: score.f1 for group, score in report.groups.items()},
            classification_accuracy=report.classification_accuracy,
            calibration={
                "ece": report.calibration.ece,
                "errors_caught": report.calibration.errors_caught,
                "correct_flagged": report.calibration.correct_flagged,
                "threshold": report.calibration.threshold,
                "n": report.calibration.n,
                "measured": report.calibration.measured,
            },
        )
    return updated


def render_table(baselines: Baselines) -> str:
    """The score table of docs/evaluation.md, from the baselines file."""
    lines = [
        "| dataset | documents | measured | headline | per key (F1) | calibration |",
        "|---|---|---|---|---|---|",
    ]
    for _, entry in sorted(baselines.items(), key=lambda item: (item[1].get("kind") != "dev", item[0])):
        per_key = ", ".join(f"{key} {f1:.2f}" for key, f1 in sorted(entry.get("per_key", {}).items()))
        groups = "; ".join(f"{group} {f1:.3f}" for group, f1 in sorted(entry.get("groups", {}).items()))
        headline_text = (
            f"micro-F1 {entry['score']:.3f}" if entry.get("per_key") else f"classification {entry['score']:.3f}"
        )
        if groups:
            headline_text += f" ({groups})"
        calibration = entry.get("calibration") or {}
        calibration_text = (
            f"ECE {calibration['ece']:.3f}, {calibration['measured']}; below {calibration['threshold']}: "
            f"{calibration['errors_caught']:.0%} of errors, {calibration['correct_flagged']:.0%} of right values"
            if calibration.get("n")
            else "-"
        )
        lines.append(
            f"| `{entry['path']}` ({entry['description']}) | {entry['n_docs']} | {entry['kind']} "
            f"| {headline_text} | {per_key or '-'} | {calibration_text} |"
        )
    return "\n".join(lines)


def with_table(page: str, baselines: Baselines) -> str:
    """``page`` with the text between the score-table markers replaced by the rendered table."""
    if TABLE_START not in page or TABLE_END not in page:
        raise ConfigError("the page has no score-table markers")
    before, rest = page.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    return f"{before}{TABLE_START}\n{render_table(baselines)}\n{TABLE_END}{after}"
