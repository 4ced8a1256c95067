import pytest

from analytics.present import fmt, labels


@pytest.mark.parametrize("value, unit, text", [
    (551234, "", "55.12万"), (8234, "", "8,234"), (10000, "人", "1.00万人"), (9999, "", "9,999"),
    (0, "", "0"), (120000000, "", "1.20亿"), (12.5, "", "12.5"), (-25000, "", "-2.50万"),
    (None, "", "—"), (float("nan"), "人", "—")])
def test_fmt_count(value, unit, text):
    assert fmt.fmt_count(value, unit) == text


@pytest.mark.parametrize("value, text", [
    (0.97456, "97.46%"), (1, "100.00%"), (0, "0.00%"), (1.25, "125.00%"), (None, "—")])
def test_fmt_rate(value, text):
    assert fmt.fmt_rate(value) == text


@pytest.mark.parametrize("value, text", [
    (812.5, "812.5小时"), (800, "800小时"), (123456, "12.35万小时"), (None, "—")])
def test_fmt_hours(value, text):
    assert fmt.fmt_hours(value) == text


@pytest.mark.parametrize("absolute, relative, rate, unit, text", [
    (1234, 0.123, False, "人次", "+1,234人次（+12.30%）"),
    (-20000, -0.2, False, "", "-2.00万（-20.00%）"),
    (0, 0.0, False, "", "持平"),
    (-0.00004, None, True, "", "持平"),
    (0.00004, None, True, "", "持平"),
    (5, None, False, "场", "+5场"),
    (0.012, None, True, "", "+1.20个百分点"),
    (-0.005, None, True, "", "-0.50个百分点"),
    (None, None, False, "", "—"),
])
def test_fmt_change(absolute, relative, rate, unit, text):
    assert fmt.fmt_change(absolute, relative, rate=rate, unit=unit) == text


@pytest.mark.parametrize("indicator, value, text", [
    ("study_rate", 0.9746, "97.46%"), ("study_learners", 551234, "55.12万人次"),
    ("activity_sessions", 19, "19场"), ("volunteer_count", 400, "400人"),
    ("volunteer_hours", 800, "800小时")])
def test_fmt_value_uses_schema_units(indicator, value, text):
    assert fmt.fmt_value(indicator, value) == text


def test_labels():
    assert labels.indicator_label("study_rate") == "参学率"
    assert labels.label_with_unit("activity_participants") == "参与人次（人次）"


def test_a_change_that_rounds_to_zero_is_flat_never_signed():
    assert fmt.fmt_pp(-0.00001) == "持平" and fmt.fmt_pp(-0.0001) == "-0.01个百分点"
    assert fmt.fmt_relative(-0.00004) == "持平" and fmt.fmt_relative(0.0001) == "+0.01%"
    assert fmt.direction(-0.00004) == 0 and fmt.direction(-0.02) == -1 and fmt.direction(None) == 0


def test_table_csv_quote_prefixes_formula_cells_and_keeps_numbers():
    import pandas as pd

    from analytics.present.fmt import table_csv

    frame = pd.DataFrame({"姓名": ['=HYPERLINK("http://evil.example")', "@SUM(A1)", "+1", "-2", "张三"],
                          "时长": [1.5, 2.0, -3.0, 4.0, 5.0]})
    data = table_csv(frame)
    assert data.startswith("\ufeff".encode("utf-8"))
    assert data.decode("utf-8-sig").splitlines() == [
        "姓名,时长", '"\'=HYPERLINK(""http://evil.example"")",1.5', "'@SUM(A1),2.0",
        "'+1,-3.0", "'-2,4.0", "张三,5.0"]
