"""Calibration: expected calibration error, the reliability table and what a threshold catches."""

from __future__ import annotations

from pathlib import Path

from docnorm.eval.metrics import CalibrationTally
from docnorm.eval.plot import reliability_png


def test_ece_weights_each_bucket_by_its_share() -> None:
    tally = CalibrationTally()
    for _ in range(8):
        tally.add(0.95, True)  # bucket 0.9: confidence 0.95, accuracy 1.0 -> gap 0.05
    tally.add(0.45, True)
    tally.add(0.45, False)  # bucket 0.4: confidence 0.45, accuracy 0.5 -> gap 0.05
    report = tally.report(threshold=0.5)
    assert report.ece == 0.05
    assert [(b.low, b.n, b.accuracy) for b in report.reliability] == [(0.4, 2, 0.5), (0.9, 8, 1.0)]
    assert report.errors_caught == 1.0  # the one wrong value is below 0.5
    assert report.correct_flagged == round(1 / 9, 4)


def test_the_reliability_plot_is_a_png(tmp_path: Path) -> None:
    tally = CalibrationTally()
    tally.add(0.8, True)
    path = reliability_png(tally.report(0.5), tmp_path / "plot.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
