"""The reliability plot: confidence bucket against observed accuracy, as a PNG."""

from __future__ import annotations

from pathlib import Path

from docnorm.eval.metrics import Calibration


def reliability_png(calibration: Calibration, path: Path, title: str) -> Path:
    """Draw bars of observed accuracy per confidence bucket against the diagonal; returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a display
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    centres = [(b.low + b.high) / 2 for b in calibration.reliability]
    axes.bar(centres, [b.accuracy for b in calibration.reliability], width=0.09, alpha=0.7, label="observed accuracy")
    axes.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
    for centre, bucket in zip(centres, calibration.reliability, strict=True):
        axes.annotate(str(bucket.n), (centre, bucket.accuracy), ha="center", va="bottom", fontsize=7)
    axes.set(xlim=(0, 1), ylim=(0, 1.05), xlabel="confidence", ylabel="accuracy",
             title=f"{title}\nECE {calibration.ece:.3f}, n={calibration.n}")  # fmt: skip
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
