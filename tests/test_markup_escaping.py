"""Text from uploads (unit, district, file names) never becomes live markup: plotly labels,
Streamlit markdown, the offline HTML report, CSV downloads."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from analytics.metrics.report import build_report
from analytics.present import charts, fmt
from analytics.present.export_html import report_html
from analytics.present.targets_grid import targets_sheet_bytes
from tests.report_helpers import activities, sample_frames, study

LINK_UNIT = '<a href="https://evil.example">请点此重新登录</a>'
HUGE_UNIT = '<span style="font-size:300px">大字</span>'
LIVE_TAG = re.compile(r"<\s*(a|span|img|b|i|sup|sub)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_report():
    frames = sample_frames()
    frames["study"] = pd.concat([frames["study"], study([
        ("2026-03", "西城区", LINK_UNIT, 100, 50), ("2026-03", HUGE_UNIT, HUGE_UNIT, 80, 70)])],
        ignore_index=True)
    frames["activities"] = pd.concat([frames["activities"], activities([
        ("2026-03-05", HUGE_UNIT, LINK_UNIT, "宣讲", "理论宣讲", 1, 40, 40, 0.0)])],
        ignore_index=True)
    return build_report(frames, year=2026, months=(1, 3), as_of=date(2026, 3, 31))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def test_the_offline_html_report_shows_hostile_names_as_text(hostile_report):
    page = report_html(hostile_report)
    # plotly's JSON writes a live "<" as \u003c: neither form of a hostile tag is left
    for tag in ('<span style="font-size:300px', '<a href="https://evil'):
        assert tag not in page
        assert tag.replace("<", "\\u003c").replace('"', '\\"') not in page
    assert page.count('&lt;span style=\\"font-size:300px\\"&gt;') >= 5      # chart categories, names, hover
    assert '&lt;span style="font-size:300px"&gt;' in page                      # the tables


@pytest.mark.parametrize("builder, frame, kwargs", [
    (charts.ranking_bar, pd.DataFrame({"district": [HUGE_UNIT, "东城区"], "unit": [LINK_UNIT, "一中"],
                                       "study_rate": [0.5, 0.9]}), {"indicator": "study_rate", "by": "unit"}),
    (charts.comparison_bar, pd.DataFrame({"district": [HUGE_UNIT, LINK_UNIT], "activity_sessions": [3, 4]}),
     {"indicator": "activity_sessions", "targets": {HUGE_UNIT: 5}}),
    (charts.trend_chart, pd.DataFrame({"district": [LINK_UNIT, LINK_UNIT], "month": ["2026-01", "2026-02"],
                                       "activity_sessions": [1, 2]}), {"indicator": "activity_sessions"}),
])
def test_chart_builders_escape_names_titles_and_hover(builder, frame, kwargs):
    fig = builder(frame, title=f"{LINK_UNIT}的排名", **kwargs)
    shown = list(_strings(fig.to_plotly_json()))
    assert [s for s in shown if LIVE_TAG.search(s)] == []
    assert fig.layout.title.text == "&lt;a href=\"https://evil.example\"&gt;请点此重新登录&lt;/a&gt;的排名"
    # idempotent: escaping an escaped figure changes nothing
    assert charts.escape_figure(fig).layout.title.text == fig.layout.title.text


@pytest.mark.parametrize("text, shown", [
    ("[请点此重新登录](https:evil.example).csv", r"\[请点此重新登录\](https\:evil.example).csv"),
    (":red[**大字**]", r"\:red\[\*\*大字\*\*\]"),
    ("# 标题\n- 一项 www.evil.example", "\\# 标题\n\\- 一项 www\\.evil.example"),
    ("青山区 2026-03，1.5 小时", "青山区 2026-03，1.5 小时"),
])
def test_markdown_text_is_escaped(text, shown):
    assert fmt.md_text(text) == shown


def test_csv_download_quote_prefixes_formula_like_cells():
    rows = pd.DataFrame({"year": [2026, 2026], "district": ["=HYPERLINK(\"http://x\")", "青山区"],
                         "indicator": ["study_rate", "study_rate"], "value": [0.95, -0.5]})
    text = targets_sheet_bytes(rows, note="导出").decode("utf-8-sig")
    assert "\n2026,\"'=HYPERLINK(\"\"http://x\"\")\",参学率,0.95\n" in text
    assert "\n2026,青山区,参学率,-0.5\n" in text      # numbers keep their sign


@pytest.mark.slow
def test_upload_page_shows_a_link_like_file_name_as_text(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.admin_pages_helpers import ROOT, add_user, app_env, login_as

    engine = app_env(monkeypatch, tmp_path)
    add_user(engine, "boss", "admin")
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    login_as(at, "boss")
    at.run()
    name = "[请点此重新登录](https:evil.example).csv"
    csv = "日期,区,单位,活动名称,活动类别,场次,参与人次\n2026-03-01,青山区,一中团委,宣讲,志愿服务,1,30\n"
    at.file_uploader(key="upload_files").set_value((name, csv.encode(), "text/csv")).run()
    assert not at.exception
    heading = [h.value for h in at.subheader if "evil" in h.value]
    assert heading == [r":material/description: \[请点此重新登录\](https\:evil.example).csv"]
    at.button(key="upload_submit").click().run()
    assert [s.value.split("（批次")[0] for s in at.success] == [
        r"\[请点此重新登录\](https\:evil.example).csv：已导入活动台账 1 行"]
