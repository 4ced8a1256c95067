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


def test_month_on_month_compares_the_last_two_months():
    monthly = pd.DataFrame({"month": ["2026-02", "2026-03"], "activity_sessions": [10, 15]})
    mom = summary_figures.month_on_month(monthly, "activity_sessions")
    assert (mom["month"], mom["change"], mom["change_rel"]) == ("2026-03", 5.0, 0.5)
    assert summary_figures.month_on_month(monthly.iloc[:1], "activity_sessions") is None
