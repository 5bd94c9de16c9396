"""What ``docnorm serve`` serves, built from settings (no API needed to build them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docnorm.flows.serve import deployments
from docnorm.schemas.errors import ConfigError
from docnorm.settings import load_settings


def _by_name(settings_overrides: dict[str, object], tmp_path: Path) -> dict[str, object]:
    settings = load_settings(out_dir=tmp_path / "out", **settings_overrides)
    return {f"{d.flow_name}/{d.name}": d for d in deployments(settings)}


def test_by_default_only_the_on_demand_batch_and_review_sync_are_served(tmp_path: Path) -> None:
    served = _by_name({}, tmp_path)

    assert set(served) == {"process_batch/on-demand", "review_sync/review-sync"}
    assert served["process_batch/on-demand"].schedules == []


def test_source_paths_add_a_nightly_batch_and_an_inbox_adds_the_drop_folder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    served = _by_name({"source_paths": ["/data/incoming"], "inbox": inbox}, tmp_path)

    scheduled = served["process_batch/scheduled"]
    assert [s.schedule.cron for s in scheduled.schedules] == ["0 2 * * *"]
    assert scheduled.parameters == {"inputs": ["/data/incoming"], "out_dir": str(tmp_path / "out")}
    drop = served["drop_folder/drop-folder"]
    assert drop.parameters["inbox"] == str(inbox)
    assert [s.schedule.interval.total_seconds() for s in drop.schedules] == [60]


def test_a_bad_cron_or_a_missing_inbox_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DOCNORM_SCHEDULE_CRON"):
        _by_name({"source_paths": ["/x"], "schedule_cron": "every night"}, tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        _by_name({"inbox": tmp_path / "nope"}, tmp_path)
