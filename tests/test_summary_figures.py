"""The 工作总结 tables of the report: per district (区县对比), per 专项, and 环比."""
import pandas as pd

from analytics.metrics import summary_figures


def _honours(rows):
    return pd.DataFrame(rows, columns=["year", "district", "honour", "level", "recipient_type",
                                       "count"])


def test_honours_per_district_counts_every_district_with_zeros():
    honours = _honours([(2022, "东湖区", "优秀共青团员", "区", "个人", 54),
                        (2022, "临江区", "优秀共青团员", "区", "个人", 3),
                        (2022, "临江区", "五四红旗团委", "市", "集体", 1)])
    table = summary_figures.by_district(honours, "honour", ["东湖区", "临江区", "青山区"])
    assert table.set_index("district")["优秀共青团员"].to_dict() == {"东湖区": 54, "临江区": 3,
                                                                   "青山区": 0}
    assert summary_figures.honours_totals(honours) == {"集体": 1, "个人": 57, "total": 58}
    # higher levels first: 市 before 区
    assert summary_figures.honours_table(honours)["level"].tolist() == ["市", "区"]


def _media(rows):
    df = pd.DataFrame(rows, columns=["date", "district", "platform", "column", "title", "reads",
                                     "shares", "participants"])
    return df.assign(date=pd.to_datetime(df["date"]), month=df["date"].str[:7])


MEDIA = _media([("2026-03-05", "东湖区", "微信公众号", "青年大学习", "第1期", 1200, 30, None),
                ("2026-03-20", "东湖区", "视频号", None, "短视频", 800, 5, 12),
                ("2026-04-02", "临江区", "微信公众号", "青年大学习", "第2期", 300, None, 4)])


def test_media_by_platform_column_and_month():
    platform = summary_figures.media_by(MEDIA, "platform")
    assert platform.to_dict("records") == [
        {"platform": "微信公众号", "articles": 2, "reads": 1500, "shares": 30, "participants": 4},
        {"platform": "视频号", "articles": 1, "reads": 800, "shares": 5, "participants": 12}]
    # a row without 栏目 counts under 其他
    assert summary_figures.media_by(MEDIA, "column").set_index("column")["articles"].to_dict() \
        == {"青年大学习": 2, "其他": 1}
    month = summary_figures.media_by(MEDIA, "month")
    assert month[["month", "articles", "reads"]].values.tolist() == [["2026-03", 2, 2000],
                                                                      ["2026-04", 1, 300]]
    empty = summary_figures.media_by(MEDIA.iloc[0:0], "month")
    assert list(empty.columns) == ["month", "articles", "reads", "shares", "participants"]
    assert not len(empty)


def test_honour_types_per_district_with_totals():
    honours = _honours([(2022, "东湖区", "优秀共青团员", "区", "个人", 54),
                        (2022, "临江区", "五四红旗团委", "市", "集体", 1)])
    table = summary_figures.honour_types_by_district(honours, ["东湖区", "临江区", "青山区"])
    assert table.to_dict("records") == [
        {"district": "东湖区", "集体": 0, "个人": 54, "total": 54},
        {"district": "临江区", "集体": 1, "个人": 0, "total": 1},
        {"district": "青山区", "集体": 0, "个人": 0, "total": 0}]
    none = summary_figures.honour_types_by_district(honours.iloc[0:0], ["东湖区"])
    assert none.to_dict("records") == [{"district": "东湖区", "集体": 0, "个人": 0, "total": 0}]
