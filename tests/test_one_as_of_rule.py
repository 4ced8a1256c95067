"""The command line, the report (pages and exports) and the as-of rule agree on the sample data."""
from __future__ import annotations

import json

import pytest

from analytics.cli.main import main
from analytics.metrics.report import TOTAL, build_report
from analytics.store.engine import get_engine
from analytics.store.frames import load_frames
from analytics.store.sample import load_sample

YEAR = 2026


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    """The whole bundled sample data (what a fresh dashboard shows)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sample')}/sample.db"
    load_sample(get_engine(url))
    return url


def test_indicators_json_and_the_report_agree_on_as_of_progress_and_every_status(sample_url,
                                                                                    capsys):
    assert main(["indicators", "--year", str(YEAR), "--json", "--db", sample_url]) == 0
    cli = json.loads(capsys.readouterr().out)
    report = build_report(load_frames(get_engine(sample_url)), year=YEAR)

    # the sample data runs to October 2026: both read at its last day, and say why
    assert cli["as_of"] == report.selection.as_of.isoformat() == f"{YEAR}-10-31"
    assert cli["as_of_text"] == report.selection.as_of_text \
        == "数据截至 2026年10月31日（已上报数据的最后一个月）"

    # each district at its own last reported month: all at October in the sample
    assert {d["district"]: d["as_of"] for d in cli["districts"]} == \
        {d: report.selection.as_of_of(d).isoformat() for d in report.selection.districts}
    assert cli["reported_text"] == report.selection.reported_text == ""

    from_cli = {(d["district"], name): (t["expected"], t["status"])
                for d in cli["districts"] for name, t in d["targets"].items()}
    from_cli |= {(TOTAL, name): (t["expected"], t["status"])
                 for name, t in cli["total"]["targets"].items()}
    from_report = {(r.district, r.indicator): (round(r.expected, 6), r.status)
                   for r in report.targets.itertuples()}
    assert len(from_report) >= 40
    assert from_cli == from_report


def test_the_markdown_report_states_the_same_as_of(sample_url, capsys):
    assert main(["report", "--year", str(YEAR), "--format", "md", "--db", sample_url]) == 0
    assert "2026-10-31" in capsys.readouterr().out
