"""The bundled sample data: every file loads cleanly, and the generator reproduces it."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics.metrics import progress
from analytics import schema

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_FILES = sorted(p for p in SAMPLE_DIR.rglob("*")
                      if p.suffix.lower() in (".xlsx", ".xls", ".csv"))
TODAY = date(2026, 11, 24)
LAST_DAY = pd.Timestamp(2026, 10, 31)


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module        # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return _generator()


@pytest.fixture(scope="module")
def simulated(generator):
    return generator.simulate()


def _id(path: Path) -> str:
    return str(path.relative_to(SAMPLE_DIR))


def test_sample_file_layout():
    names = [_id(p) for p in SAMPLE_FILES]
    # 6 districts x 22 months, one of them as .xls, one study sheet split off as GBK csv,
    # plus two target workbooks and two of 评优表彰, 组织建设, 新媒体
    assert len(names) == 6 * 22 + 1 + 2 + 2
    assert names[:7] == ["2025-01/东湖区_2025-01.xlsx", "2025-01/临江区_2025-01.xlsx",
                         "2025-01/北岭区_2025-01.xlsx", "2025-01/南湾区_2025-01.xlsx",
                         "2025-01/西桥区_2025-01.xls", "2025-01/青山区_2025-01.xlsx",
                         "2025-02/东湖区_2025-02.xlsx"]
    assert "2025-02/北岭区_2025-02_青年大学习.csv" in names
    assert names[-5:] == ["2026-10/青山区_2026-10.xlsx", "summary_2025.xlsx", "summary_2026.xlsx",
                          "targets_2025.xlsx", "targets_2026.xlsx"]
    assert sum(p.stat().st_size for p in SAMPLE_FILES) < 15_000_000


_TOTALS = {"activities": "participants", "study": "learners", "volunteer": "hours"}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=_id)
def test_sample_file_passes_check(path, simulated):
    from analytics.ingest.check import check_file

    result = check_file(path, today=TODAY)
    report = result.to_json()
    assert result.exit_code == 0, report
    tables = [s for s in result.sheets if s.kind is not None]
    assert all(s.errors == [] and s.rows_rejected == 0 for s in tables), report
    assert sum(len(s.warnings) for s in tables) == 0, report
    assert all(s.rows_accepted > 0 for s in tables)
    kinds = sorted(s.kind for s in tables)
    if path.name.startswith("targets_"):
        assert kinds == ["targets"]
    elif path.name.startswith("summary_"):
        assert kinds == ["honours", "media", "organisation"]
        assert {d for s in tables for d in s.frame["district"]} == \
            {d.district.name for d in simulated}
        return
    elif path.suffix == ".csv":
        assert kinds == ["study"]
    elif path.name == "北岭区_2025-02.xlsx":
        assert kinds == ["activities", "volunteer"]
    else:
        assert kinds == ["activities", "study", "volunteer"]
    month = path.parent.name
    for sheet in tables:
        frame = sheet.frame
        if "date" in frame:
            assert frame["date"].max() <= LAST_DAY
        if sheet.kind != "targets":
            assert set(frame["month"]) == {month}
            assert set(frame["district"]) == {path.name[:3]}
            # every number read back (text with units, 合计 rows skipped) equals the simulation
            dd = next(d for d in simulated if d.district.name == path.name[:3])
            source = getattr(dd, sheet.kind)[int(month[:4]), int(month[5:])]
            field = _TOTALS[sheet.kind]
            assert sheet.totals[field] == pytest.approx(source[field].sum())
            assert sheet.rows_accepted == len(source)


def test_messy_features_are_present():
    """The quirks real sheets carry, so the sample also exercises the loader."""
    from python_calamine import CalamineWorkbook

    def rows(rel: str, sheet: str) -> list[list]:
        return CalamineWorkbook.from_path(SAMPLE_DIR / rel).get_sheet_by_name(sheet).to_python()

    qs = rows("2026-03/青山区_2026-03.xlsx", "活动台账")
    assert qs[0][0] == "青山区2026年3月团务工作月报"
    assert qs[1][0].startswith("填报单位：共青团青山区委员会")
    assert qs[2][:2] == ["序号", "日期"]
    assert qs[-3][0] == "合计" and qs[-1][0].startswith("注：")
    lj = rows("2026-03/临江区_2026-03.xlsx", "活动台账")
    assert lj[2][6:10] == ["开展情况", "", "志愿服务", ""]
    assert lj[3][6:10] == ["场次", "参与人次", "志愿者人数", "服务时长"]
    dh = rows("2026-03/东湖区_2026-03.xlsx", "活动台账")
    assert any(isinstance(v, str) and v.endswith("人次") for r in dh[1:] for v in r)
    nw = rows("2026-03/南湾区_2026-03.xlsx", "青年大学习")
    assert nw[1][0] == "第十五季第三期"
    assert (SAMPLE_DIR / "2025-02/北岭区_2025-02_青年大学习.csv").read_bytes().decode("gbk") \
        .startswith("期次,月份,区,单位,团员数,参学人数")


def test_magnitudes_are_plausible(simulated, generator):
    for dd in simulated:
        for year in (2025, 2026):
            study = pd.concat(f for (y, _), f in dd.study.items() if y == year)
            assert 25 <= study["unit"].nunique() <= 40
            assert study["members"].between(200, 3200).all()
            assert 100_000 <= study["learners"].sum() <= 1_000_000
            assert 0.85 <= study["learners"].sum() / study["members"].sum() <= 0.98
            actual = generator.actuals(dd, year)
            assert 300 <= actual["volunteer_count"] <= 800, dd.district.name
            assert 1_000 <= actual["volunteer_hours"] <= 10_000
        for frame in dd.activities.values():
            assert 15 <= len(frame) <= 40
        for frame in dd.volunteer.values():
            assert frame["hours"].between(1, 8).all()


def test_some_districts_lag_their_2026_targets(simulated, generator):
    from analytics.ingest.check import check_file

    targets = check_file(SAMPLE_DIR / "targets_2026.xlsx", today=TODAY).sheets[0].frame
    as_of = date(2026, 10, 31)
    statuses = {}
    for dd in simulated:
        actual = generator.actuals(dd, 2026)
        study = pd.concat(f for (y, _), f in dd.study.items() if y == 2026)
        actual["study_rate"] = study["learners"].sum() / study["members"].sum()
        for indicator, value in actual.items():
            target = progress.target_value(targets, indicator, 2026, dd.district.name)
            expected = progress.expected_completion(indicator, 2026, as_of)
            statuses[dd.district.name, indicator] = progress.status(
                indicator, value, target, expected)
    behind = {k for k, s in statuses.items() if s == progress.BEHIND}
    assert behind == {("北岭区", "activity_participants"), ("北岭区", "study_rate"),
                      ("南湾区", "activity_sessions"), ("南湾区", "study_rate"),
                      ("南湾区", "volunteer_hours"), ("临江区", "volunteer_count")}
    assert set(targets["district"]) == {d.district.name for d in simulated} | {schema.ALL_DISTRICTS}


@pytest.mark.slow
def test_generator_reproduces_the_committed_files(tmp_path, generator):
    written = generator.generate(tmp_path)
    fresh = {str(p.relative_to(tmp_path)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in written}
    committed = {_id(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE_FILES}
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "sample data is stale: run python sample_data/generate.py"
