"""Calibration: ECE and what a threshold catches, confidences fitted per doc type, and measured only out of
fold (a value's confidence comes from a calibrator fitted without its document)."""

from __future__ import annotations

import random
from pathlib import Path

from docnorm.eval.calibration import ValueOutcome, calibration, fit, fit_all, out_of_fold, out_of_fold_calibration
from docnorm.eval.plot import reliability_png
from docnorm.validators.confidence import calibrator_version, features, field_confidence, shipped


def test_ece_weights_each_bucket_by_its_share() -> None:
    confidences = [0.95] * 8 + [0.45, 0.45]  # bucket 0.9: gap 0.05; bucket 0.4: confidence 0.45, accuracy 0.5
    correct = [True] * 8 + [True, False]
    report = calibration(confidences, correct, threshold=0.5, measured="test")
    assert report.ece == 0.05
    assert [(b.low, b.n, b.accuracy) for b in report.reliability] == [(0.4, 2, 0.5), (0.9, 8, 1.0)]
    assert report.errors_caught == 1.0  # the one wrong value is below 0.5
    assert report.correct_flagged == round(1 / 9, 4)
    assert [(p.threshold, p.errors_caught) for p in report.curve][:5] == [(0.1, 0.0), (0.2, 0.0), (0.3, 0.0),
                                                                          (0.4, 0.0), (0.5, 1.0)]  # fmt: skip


def test_the_reliability_plot_is_a_png(tmp_path: Path) -> None:
    path = reliability_png(calibration([0.8], [True], 0.5, "test"), tmp_path / "plot.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _outcomes(n_docs: int, seed: int = 0) -> list[ValueOutcome]:
    """Values found by a reliable method (right 95 %) and by a shaky one (right 40 %)."""
    rng = random.Random(seed)
    out = []
    for doc in range(n_docs):
        for method, rate in (("label", 0.95), ("guess", 0.4)):
            out.append(ValueOutcome(f"doc-{doc}", "contract", {f"method={method}": 1.0}, rng.random() < rate))
    return out


def test_a_fitted_calibrator_tells_a_reliable_method_from_a_shaky_one() -> None:
    fitted = fit(_outcomes(200))
    reliable, shaky = fitted.probability({"method=label": 1.0}), fitted.probability({"method=guess": 1.0})
    assert 0.85 < reliable < 0.99 and 0.25 < shaky < 0.55


def test_out_of_fold_confidences_come_from_fits_without_their_document() -> None:
    outcomes = _outcomes(50)
    # A document whose values all disagree with the rest: in sample the fit would partly learn it.
    odd = [ValueOutcome("odd", "contract", {"method=label": 1.0}, False) for _ in range(30)]
    oof = out_of_fold([*outcomes, *odd])
    odd_confidences = oof[len(outcomes) :]
    in_sample = fit([*outcomes, *odd]).probability({"method=label": 1.0})
    assert max(odd_confidences) > in_sample, "the held-out document never pulled its own confidence down"


def test_out_of_fold_calibration_of_well_behaved_signals_is_good() -> None:
    report = out_of_fold_calibration(_outcomes(300, seed=3), threshold=0.7)
    assert report.measured == "out of fold (5-fold by document)"
    assert report.ece < 0.05
    assert report.errors_caught > 0.5 and report.correct_flagged < 0.5


def test_the_shipped_calibrator_is_versioned_and_used_for_the_built_in_doc_types() -> None:
    calibrator = shipped()
    assert set(calibrator.doc_types) == {"contract", "financial_statement", "medical_record"}
    assert calibrator_version("contract") == calibrator.version != "uncalibrated"
    assert calibrator_version("invoice") == "uncalibrated", "a doc type without dev gold is not calibrated"
    x = features("Acme Inc.", None, field="parties.name")
    assert field_confidence("Acme Inc.", None, doc_type="contract", field="parties.name") == round(
        calibrator.doc_types["contract"].probability(x), 4
    )


def test_fit_all_versions_by_date_and_content() -> None:
    one, same = fit_all(_outcomes(30)), fit_all(_outcomes(30))
    other = fit_all(_outcomes(30, seed=9))
    assert one.version == same.version != other.version
