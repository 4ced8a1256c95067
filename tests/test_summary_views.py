"""评优表彰, 组织建设 and 新媒体 as the pages show them: the report's tables against their
targets, the cards and tables in Chinese (present.summary_views) and the figures
(charts), built from a real workbook stored in SQLite (tests/summary_kinds_helpers)."""
from __future__ import annotations

from datetime import date

import pytest

from analytics import schema
from analytics.ingest.check import check_file
from analytics.metrics.report import build_report
from analytics.present import charts, summary_views, views
from analytics.store.frames import load_frames
from tests import dashboard_helpers as dh
from tests import summary_kinds_helpers as skh

YEAR = dh.YEAR


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("summary_views")
    engine = dh.new_database(folder / "app.db")
    skh.store_summary_kinds(engine, folder)
    frames = load_frames(engine, years=(YEAR - 1, YEAR))
    engine.dispose()
    return build_report(frames, year=YEAR, today=date(YEAR, 12, 1))


def test_targets_sheet_accepts_honours_and_organisation_items(tmp_path):
    path = skh.summary_workbook(tmp_path / "t.xlsx")
    targets = next(s for s in check_file(path, isolate=False).sheets if s.kind == "targets")
    assert targets.errors == []
    assert targets.frame["indicator"].tolist() == [
        "study_rate", "activity_sessions", "honours", "organisation:推优入党",
        "organisation:推优入党"]


def test_unknown_target_indicator_lists_the_new_ones(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["年度", "区", "指标", "目标值"])
    wb.active.append([YEAR, "青山区", "配齐专职书记", 100])     # a share: no target
    wb.save(tmp_path / "t.xlsx")
    sheet = check_file(tmp_path / "t.xlsx", isolate=False).sheets[0]
    assert sheet.rows_rejected == 1
    assert "获评荣誉、换届、推优入党" in sheet.errors[0].message


def test_summary_targets_are_judged_against_the_time_elapsed(report):
    rows = report.summary_targets.set_index(["district", "indicator"])
    honours = rows.loc[("青山区", schema.HONOURS_TARGET)]
    assert (honours["actual"], honours["target"], honours["completion"]) == (14, 20, 0.7)
    party = schema.organisation_target("推优入党")
    assert rows.loc[("临江区", party), "completion"] == 0.1
    assert rows.loc[("临江区", party), "status"] == "滞后"
    # 合计: Σ of the districts' targets (no 全部 row), against Σ of the counts
    assert (rows.loc[("合计", party), "actual"], rows.loc[("合计", party), "target"]) == (12, 50)
    assert report.target_of(schema.HONOURS_TARGET, "青山区")["status"] == honours["status"]


def test_cards_say_each_figure_with_its_measure_word_and_target(report):
    honours = summary_views.honour_cards(report)
    assert [(c.label, c.value) for c in honours] == [("荣誉合计", "19项"), ("集体荣誉", "2个"),
                                                     ("个人荣誉", "17名")]
    assert honours[0].lines[0] == "年度目标 20项 · 完成 95.00%"
    assert honours[0].lines[-1] == "最多：优秀共青团员 12名"
    organisation = {c.label: c for c in summary_views.organisation_cards(report)}
    assert organisation["推优入党"].value == "12名"
    assert organisation["推优入党"].lines[0] == "年度目标 50名 · 完成 24.00%"
    assert organisation["青年突击队"].value == "3支" and organisation["青年突击队"].status is None
    media = summary_views.media_cards(report)
    assert [(c.label, c.value) for c in media] == [
        ("篇数", "3篇"), ("阅读量", "5,000人次"), ("转发", "35次"), ("参与人数", "15人")]


def test_district_tables_with_a_total_row(report):
    honours = summary_views.honours_district_table(report)
    assert honours.to_dict("records") == [
        {"区县": "临江区", "荣誉合计": "5", "集体（个）": "0", "个人（名）": "5",
         "最多的荣誉": "优秀团干部 5"},
        {"区县": "青山区", "荣誉合计": "14", "集体（个）": "2", "个人（名）": "12",
         "最多的荣誉": "优秀共青团员 12"},
        {"区县": "合计", "荣誉合计": "19", "集体（个）": "2", "个人（名）": "17",
         "最多的荣誉": "优秀共青团员 12"}]
    detail = summary_views.honours_by_honour_table(report).set_index("荣誉")
    assert detail.loc["优秀共青团员（名）"].to_dict() == {"临江区": "0", "青山区": "12", "合计": "12"}
    organisation = summary_views.organisation_district_table(report)
    assert organisation.columns.tolist() == ["区县", "推优入党（名）", "青年突击队（支）"]
    assert organisation.iloc[-1].tolist() == ["合计", "12", "3"]


def test_status_table_has_one_column_per_target_and_no_target_cells(report):
    table = summary_views.summary_status_table(report)
    assert table.columns.tolist() == ["区县", "获评荣誉状态", "推优入党状态"]
    assert table.set_index("区县").loc["临江区"].tolist() == ["无目标", "滞后"]
    one = summary_views.summary_target_table(report, schema.HONOURS_TARGET)
    assert one.to_dict("records")[0] == {"区县": "青山区", "指标": "获评荣誉", "完成数": "14项",
                                          "年度目标": "20项", "完成率": "70.00%",
                                          "序时进度": one.iloc[0]["序时进度"], "状态": "超前"}


def test_media_tables_by_platform_column_and_month(report):
    platform = summary_views.media_group_table(report.media_by_platform, "platform")
    assert platform.to_dict("records") == [
        {"平台": "微信公众号", "篇数（篇）": "2", "阅读量（人次）": "2,000", "转发（次）": "15",
         "参与人数（人）": "6"},
        {"平台": "视频号", "篇数（篇）": "1", "阅读量（人次）": "3,000", "转发（次）": "20",
         "参与人数（人）": "9"}]
    month = summary_views.media_group_table(report.media_by_month, "month")
    assert month["月份"].tolist() == [f"{YEAR}年3月"]
    assert summary_views.media_of(report, "column")["column"].tolist() == ["青春热议", "青春短视频"]


def test_honours_bar_stacks_collective_and_individual_with_targets(report):
    fig = charts.honours_district_bar(report.honour_types_by_district,
                                      targets=views.district_targets(report, schema.HONOURS_TARGET))
    bars = {t.name: list(t.y) for t in fig.data if t.type == "bar"}
    assert bars == {"集体": [0.0, 2.0], "个人": [5.0, 12.0]}
    totals = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    assert list(totals.text) == ["5", "14"]
    target = next(t for t in fig.data if t.name == "目标")
    assert (list(target.x), list(target.y)) == (["青山区"], [20.0])
    assert fig.layout.barmode == "stack"


def test_organisation_bar_highest_first_with_its_targets(report):
    item = "推优入党"
    fig = charts.organisation_district_bar(
        report.organisation_by_district, item, measure="名",
        targets=views.district_targets(report, schema.organisation_target(item)))
    bar = fig.data[0]
    assert (list(bar.x), list(bar.y)) == (["青山区", "临江区"], [8.0, 4.0])
    assert list(bar.customdata) == ["8名", "4名"]
    target = fig.data[1]
    assert dict(zip(target.x, target.y)) == {"青山区": 10.0, "临江区": 40.0}
    assert fig.layout.yaxis.title.text == "推优入党（名）"


def test_media_bars_by_group_and_month(report):
    fig = charts.media_bar(report.media_by_platform, "platform", "reads")
    assert list(fig.data[0].x) == ["视频号", "微信公众号"]      # highest first
    assert list(fig.data[0].y) == [3000.0, 2000.0]
    assert fig.layout.title.text == "各平台新媒体阅读量"
    monthly = charts.media_bar(report.media_by_month, "month", "articles")
    assert list(monthly.data[0].x) == ["3月"] and list(monthly.data[0].y) == [3.0]
    assert monthly.layout.yaxis.title.text == "篇数（篇）"


def test_figures_without_data_say_so(report):
    empty = report.media_by_month.iloc[0:0]
    for fig in (charts.media_bar(empty, "month", "reads"),
                charts.honours_district_bar(report.honour_types_by_district.iloc[0:0]),
                charts.organisation_district_bar(report.organisation_by_district, "换届")):
        assert fig.layout.annotations[0].text == charts.EMPTY_TEXT


def test_the_exports_carry_the_pages_summary_kind_tables(report):
    """评优表彰, 组织建设 and 新媒体 per district/platform are in the Excel and HTML files
    as the pages show them, not only in the drafted text."""
    import io

    import openpyxl

    from analytics.present.export_html import report_html
    from analytics.present.export_xlsx import SHEET_SUMMARY_KINDS, report_xlsx

    tables = dict(summary_views.summary_kind_tables(report))
    assert list(tables) == ["评优表彰（各区县）", "组织建设（各区县）", "新媒体（各平台）"]
    honours = tables["评优表彰（各区县）"]
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    rows = [[c for c in row if c is not None] for row in book[SHEET_SUMMARY_KINDS].iter_rows(values_only=True)]
    assert ["评优表彰（各区县）"] in rows
    assert [str(c) for c in honours.columns] in rows
    assert [str(v) for v in honours.iloc[-1].tolist()] in rows         # the 合计 row, as shown
    page = report_html(report)
    for heading, table in tables.items():
        assert heading in page
        assert str(table.iloc[0, 0]) in page
    # a file holds only the sections the user picked
    picked = report_html(report, ("评优表彰",))
    assert "评优表彰（各区县）" in picked and "组织建设（各区县）" not in picked
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, ("专项",))))
    assert SHEET_SUMMARY_KINDS not in book.sheetnames
