"""The drafted 工作总结 paragraph: Chinese sentences of figures from a report.

Staff paste these sentences into the year-end summary, so they follow the
seed documents' style ("全区团员青年参学“青年大学习”超55万人次，参学比例97.46%";
"开展防溺水宣传志愿服务活动20余场次，参与青年300余人次，总服务时长超800小时").
Every figure is a `Fact`: the indicator it came from, its exact value and the
rounded text, so a test can check each sentence against the indicators.

Rounding words (`round_words`), applied the same way everywhere:

1. The round number r is v cut down (never rounded up) to:
   - v < 10: v itself, shown with at most one decimal (7.5 -> 7.5);
   - 10 <= v < 1,000: one significant digit, or two when the leading digit
     is 1 (23 -> 20, 345 -> 300, 150 -> 150), as the seeds write 20余场次,
     300余人次;
   - 1,000 <= v < 10,000: two significant digits (1,234 -> 1,200,
     2,575 -> 2,500), like the 万 figures below: "2500余名", not "2000余名";
   - 10,000 <= v < 100,000: 万 with one decimal (12,345 -> 1.2万);
   - v >= 100,000: whole 万 (551,234 -> 55万).
2. The next round number R = r + one step (the step is the last kept digit).
   If v is below R, within 5 % of R and nearer to R than to r
   (R - v <= 5 % of R and R - v < step / 2) -> "近R" (682 -> 近700;
   97 -> 近100; but 551,234 -> 超55万, not 近56万).
3. Otherwise, if v equals r -> the number itself ("15", "800", "12万").
4. Otherwise (v > r):
   - style "count" (场次, 人次, 名 below 万): "r余" (23 -> 20余, 345 -> 300余);
   - style "total" (hours, money, and any count written in 万): "超r" as a
     prefix (812.5 -> 超800, 551,234 -> 超55万).
Percentages are never rounded: always two decimals (0.97456 -> 97.46%).
同比 changes: relative with one decimal ("增长12.3%"), rates in 百分点 with
two decimals ("提升1.25个百分点").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from collections.abc import Mapping
from typing import Literal

import pandas as pd

from analytics.metrics import dimensions, progress, stars
from analytics.present.fmt import EXACT_BELOW, measure
from analytics import schema
from analytics.present import fmt
from analytics.metrics.report import TOTAL, Report

Style = Literal["count", "total"]

NEAR_SHARE = 0.05
WAN = 10_000


@dataclass(frozen=True)
class Rounded:
    """A value rounded for prose: `text` is what the sentence shows."""

    value: float
    round_value: float
    word: str          # "" (exact), "余", "超" or "近"
    text: str


def _round_down(v: float) -> tuple[Decimal, Decimal]:
    """(r, step): v cut down to its round number, and the last kept digit's size."""
    d = Decimal(repr(float(v)))
    if v >= 100_000:
        step = Decimal(WAN)
    elif v >= WAN:
        step = Decimal(1000)
    else:
        digits = int(math.floor(math.log10(v)))
        lead = int(d.scaleb(-digits).to_integral_value(rounding=ROUND_FLOOR))
        keep = 2 if lead == 1 or digits >= 3 else 1
        step = Decimal(10) ** (digits - keep + 1)
    r = (d / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return r, step


def _number(v: Decimal | float, *, decimals: int = 0) -> str:
    """Plain number for prose: 万 for ≥ 10,000, no thousands separators."""
    v = Decimal(repr(float(v))) if not isinstance(v, Decimal) else v
    if v >= WAN:
        wan = v / WAN
        text = f"{wan:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    if decimals and v != v.to_integral_value():
        return f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{int(v)}"


def round_words(value: float, style: Style = "count") -> Rounded:
    """Round a count or total the way a 工作总结 writes it (module docstring).

    >>> round_words(551234, "total").text
    '超55万'
    >>> round_words(23).text
    '20余'
    >>> round_words(682).text
    '近700'
    """
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"cannot round {value!r} for prose")
    if v < 10:
        text = _number(v, decimals=1)
        return Rounded(v, v, "", text)
    r, step = _round_down(v)
    upper = r + step
    exact_v = Decimal(repr(v))
    gap = upper - exact_v
    if 0 < gap <= Decimal(repr(NEAR_SHARE)) * upper and gap < step / 2:
        return Rounded(v, float(upper), "近", f"近{_number(upper)}")
    if exact_v == r:
        return Rounded(v, float(r), "", _number(r))
    if style == "count" and r < WAN:
        return Rounded(v, float(r), "余", f"{_number(r)}余")
    return Rounded(v, float(r), "超", f"超{_number(r)}")


def rate_text(rate: float) -> str:
    """A rate as prose: always exact with two decimals (0.97456 -> '97.46%')."""
    return f"{rate * 100:.2f}%"


# --- the drafted paragraph -----------------------------------------------------

FactStyle = Literal["count", "total", "rate", "change", "pp", "exact", "money"]


@dataclass(frozen=True)
class Fact:
    """One figure of the drafted paragraph and where it came from.

    `key` names the source: an indicator ("activity_participants"), a
    category figure ("category:心理健康:reached"), a 三力一度 dimension figure
    ("dimension:服务力:activity_sessions"), a target figure
    ("target:activity_sessions:completion"), a 同比 change
    ("yoy:study_rate") or a star level ("stars:1"). `district` is a
    district or "合计" (the whole selection). `text` is exactly what the
    sentence shows: `fact_text(value, style)`.
    """

    key: str
    district: str
    value: float
    style: FactStyle
    text: str


def change_text(value: float, style: FactStyle) -> str:
    """A 同比 change without its direction word: "12.3%" or "1.25个百分点"."""
    if style == "pp":
        return f"{abs(value) * 100:.2f}个百分点"
    return f"{abs(value) * 100:.1f}%"


def fact_text(value: float, style: FactStyle) -> str:
    """The text a figure gets in the paragraph (the rounding rule of this module)."""
    if style == "rate":
        return rate_text(value)
    if style in ("change", "pp"):
        return change_text(value, style)
    if style == "exact":
        return exact_text(value)
    if style == "money":
        return money_text(value)
    return round_words(value, style).text


def exact_text(value: float) -> str:
    """A count of a 工作总结 section: exact below fmt.EXACT_BELOW (27, 514), else 余/近/万 (3000余)."""
    v = float(value)
    if v < EXACT_BELOW:
        return _number(v, decimals=1)
    return round_words(v, "count").text


def money_text(value: float) -> str:
    """Money with its unit: 5000 -> "5000元", 40000 -> "4万元", 41234 -> "超4.1万元"."""
    v = float(value)
    if v < WAN:
        return f"{_number(v, decimals=2)}元"
    text = round_words(v, "total").text
    return text.replace("万", "万元") if "万" in text else f"{text}元"


class _Draft:
    """Collects sentences and the facts behind every figure in them."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.sentences: list[str] = []
        self.breaks: list[int] = []     # sentence indexes where a new section's paragraph starts

    def section(self) -> None:
        """The sentences that follow are a new paragraph (学习, 活动, 志愿服务, 目标, 分区县)."""
        if self.sentences and (not self.breaks or self.breaks[-1] != len(self.sentences)):
            self.breaks.append(len(self.sentences))

    def paragraphs(self) -> list[str]:
        """The sentences joined into one paragraph per section."""
        cuts = [0, *self.breaks, len(self.sentences)]
        return ["".join(self.sentences[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]

    def fig(self, key: str, value: float, style: FactStyle = "count",
            district: str = TOTAL) -> str:
        """The figure's text for the sentence, recorded as a Fact."""
        text = fact_text(value, style)
        self.facts.append(Fact(key, district, float(value), style, text))
        return text


def _present(value) -> bool:
    return value is not None and not pd.isna(value) and float(value) > 0


def _yoy_clause(d: _Draft, report: Report, indicator: str, what: str = "") -> str:
    """"，较去年同期增长12.3%" (counts) / "提升1.25个百分点" (rates), or ""."""
    row = report.yoy_of(indicator)
    if row is None:
        return ""
    rate = progress.is_rate(indicator)
    value = row["change"] if rate else row["change_rel"]
    if value is None or pd.isna(value):
        return ""
    if fmt.is_flat(value, 2 if rate else 1):   # as shown: "下降0.00个百分点" is 持平
        return f"，{what}与去年同期持平"
    up = value > 0
    word = ("提升" if up else "下降") if rate else ("增长" if up else "下降")
    return f"，{what}较去年同期{word}{d.fig(f'yoy:{indicator}', value, 'pp' if rate else 'change')}"


def _study(d: _Draft, report: Report, subject: str) -> None:
    learners, rate = report.total["study_learners"], report.total["study_rate"]
    if not _present(learners) or rate is None or pd.isna(rate):
        return
    d.sentences.append(
        f"{subject}团员青年参学“青年大学习”{d.fig('study_learners', learners)}人次，"
        f"参学比例{d.fig('study_rate', rate, 'rate')}"
        + _yoy_clause(d, report, "study_rate") + "。")


def _activities(d: _Draft, report: Report, subject: str) -> None:
    sessions, people = report.total["activity_sessions"], report.total["activity_participants"]
    if not _present(sessions):
        return
    d.sentences.append(
        f"{subject}各级团组织共开展活动{d.fig('activity_sessions', sessions)}场次，"
        f"参与青年{d.fig('activity_participants', people)}人次"
        + _yoy_clause(d, report, "activity_participants", "参与人次") + "。")


def _categories(d: _Draft, report: Report, limit: int = 6) -> None:
    """The busiest categories (by 参与人次): 场次, 人次, 覆盖人数, 服务时长."""
    table = report.categories
    table = table[table["activity_sessions"] > 0].sort_values(
        ["activity_participants", "activity_sessions"], ascending=False, kind="stable")
    parts = []
    for row in table.head(limit).itertuples(index=False):
        key = f"category:{row.category}"
        part = (f"开展{row.category}活动{d.fig(f'{key}:activity_sessions', row.activity_sessions)}"
                f"场次，参与青年{d.fig(f'{key}:activity_participants', row.activity_participants)}"
                "人次")
        if _present(row.reached):
            part += f"，覆盖群众{d.fig(f'{key}:reached', row.reached)}人"
        if _present(row.service_hours):
            part += (f"，活动台账登记服务时长"
                     f"{d.fig(f'{key}:service_hours', row.service_hours, 'total')}小时")
        parts.append(part)
    if parts:
        d.sentences.append("其中，" + "；".join(parts) + "。")


def topic_sentence(total: Mapping[str, float], topic: str) -> str:
    """One sentence on the activities found by a search, for a 工作总结's 专项 paragraph:
    "开展防溺水相关活动20余场次，参与青年300余人次，总服务时长超800小时。"

    `total` is `indicators.activity_totals` of the matched rows; "" when there
    are no sessions. Figures follow this module's rounding rule.
    """
    if not total or not total.get("sessions"):
        return ""
    d = _Draft()
    text = (f"开展{topic.strip()}相关活动{d.fig('sessions', total['sessions'])}场次，"
            f"参与青年{d.fig('participants', total['participants'])}人次")
    if _present(total["reached"]):
        text += f"，覆盖群众{d.fig('reached', total['reached'])}人"
    if _present(total["service_hours"]):
        text += f"，总服务时长{d.fig('service_hours', total['service_hours'], 'total')}小时"
    return text + "。"


def _volunteers(d: _Draft, report: Report, subject: str) -> None:
    count, hours = report.total["volunteer_count"], report.total["volunteer_hours"]
    if not _present(count):
        return
    text = (f"据{schema.KINDS['volunteer'].label}，{subject}{d.fig('volunteer_count', count)}"
            f"名青年志愿者参与志愿服务，累计服务时长{d.fig('volunteer_hours', hours, 'total')}小时"
            + _yoy_clause(d, report, "volunteer_hours", "服务时长"))
    starred = report.stars[(report.stars["level"] > 0) & (report.stars["count"] > 0)]
    if len(starred):
        total = d.fig("stars", int(starred["count"].sum()))
        if len(starred) == 1:
            levels = f"均为{starred.iloc[0]['label']}"
        else:
            levels = "其中" + "、".join(
                f"{row.label}{d.fig(f'stars:{row.level}', row.count)}名"
                for row in starred.sort_values("level", ascending=False).itertuples())
        text += f"；累计服务时长达到星级标准的志愿者{total}名（{levels}）"
    d.sentences.append(text + "。")


def _three_forces(d: _Draft, report: Report) -> None:
    """"按“三力一度”归类，引领力方面开展活动…场次、参与青年…人次；…"; with several
    districts, which district's 三力一度 score leads in each dimension."""
    if not len(report.categories):
        return
    sums = report.dimensions.set_index("dimension")
    parts = []
    for dim in schema.DIMENSIONS:
        if dim not in sums.index or not _present(sums.at[dim, "activity_sessions"]):
            continue
        key = f"dimension:{dim}"
        parts.append(f"{dim}方面开展活动{d.fig(f'{key}:activity_sessions', sums.at[dim, 'activity_sessions'])}"
                     f"场次、参与青年{d.fig(f'{key}:activity_participants', sums.at[dim, 'activity_participants'])}"
                     "人次")
    if not parts:
        return
    text = "按“三力一度”归类，" + "；".join(parts)
    if len(report.selection.districts) > 1:
        leaders = dimensions.dimension_leaders(report.three_forces)
        if leaders:
            text += ("。按每百名团员计，" + "，".join(f"{name}{'、'.join(dims)}居各区县首位"
                                                for name, dims in leaders.items()))
    d.sentences.append(text + "。")


_RATE_STATUS = {progress.AHEAD: "已达到目标", progress.ON_TRACK: "接近目标",
                progress.BEHIND: "低于目标"}
_COUNT_STATUS = {progress.AHEAD: "进度超前", progress.ON_TRACK: "进度正常",
                 progress.BEHIND: "进度滞后"}


def _targets(d: _Draft, report: Report) -> None:
    """Rates against their target; counts' completion against 序时进度."""
    parts = []
    for row in report.targets[report.targets["district"] == TOTAL].itertuples(index=False):
        label = schema.INDICATOR_BY_NAME[row.indicator].label
        key = f"target:{row.indicator}"
        if progress.is_rate(row.indicator):
            if pd.isna(row.actual):
                continue
            parts.append(f"{label}{d.fig(f'{key}:actual', row.actual, 'rate')}"
                         f"（目标{d.fig(f'{key}:target', row.target, 'rate')}），"
                         f"{_RATE_STATUS[row.status]}")
        elif not pd.isna(row.completion):
            parts.append(f"{label}完成年度目标的{d.fig(f'{key}:completion', row.completion, 'rate')}"
                         f"（序时进度{d.fig(f'{key}:expected', row.expected, 'rate')}），"
                         f"{_COUNT_STATUS[row.status]}")
    if parts:
        d.sentences.append("对照年度目标，" + "；".join(parts) + "。")


def _district_clause(d: _Draft, values: dict) -> str:
    """"东城区参学比例95.00%，开展活动20余场次、参与青年300余人次，志愿者2名、服务时长超100小时"."""
    name = values["district"]

    def fig(key: str, style: FactStyle = "count") -> str:
        return d.fig(key, values[key], style, district=name)

    parts = []
    if values["study_rate"] is not None and not pd.isna(values["study_rate"]):
        parts.append(f"参学比例{fig('study_rate', 'rate')}")
    if _present(values["activity_sessions"]):
        parts.append(f"开展活动{fig('activity_sessions')}场次、"
                     f"参与青年{fig('activity_participants')}人次")
    if _present(values["volunteer_count"]):
        parts.append(f"志愿者{fig('volunteer_count')}名、"
                     f"服务时长{fig('volunteer_hours', 'total')}小时")
    return f"{name}{'，'.join(parts)}" if parts else f"{name}暂无数据"


def _subject(sel) -> str:
    """Who the sentences speak of: "全区" (one district's committee), "各区县" (the
    whole area), or the chosen districts by name ("东湖区、临江区")."""
    if len(sel.districts) == 1:
        return "全区"
    if sel.whole_area or len(sel.districts) > 3:
        return "各区县"
    return "、".join(sel.districts)


def _draft(report: Report) -> _Draft:
    d = _Draft()
    sel = report.selection
    single = len(sel.districts) == 1
    subject = _subject(sel)
    _study(d, report, subject)
    d.section()
    _activities(d, report, subject)
    _categories(d, report)
    _three_forces(d, report)
    d.section()
    _volunteers(d, report, subject)
    d.section()
    _targets(d, report)
    if not d.sentences:
        d.sentences.append("所选范围内暂无数据。")
    d.sentences[0] = f"{sel.period_label}，" + d.sentences[0]
    if not single and sel.districts:
        d.section()
        clauses = [_district_clause(d, row) for row in report.comparison.to_dict("records")]
        d.sentences.append("分区县看：" + "；".join(clauses) + "。")
    if d.facts:
        d.section()
        d.sentences.append(_sources(report))
    return d


def _sources(report: Report) -> str:
    """Where the figures come from, and which service hours are which: the
    活动台账's hours and the 志愿服务记录's hours are different counts. No figure
    of its own (the as-of day is stated beside the paragraph)."""
    return (f"（数据来源：各区县上报的{schema.KINDS['study'].label}参学统计、"
            f"{schema.KINDS['activities'].label}和{schema.KINDS['volunteer'].label}；"
            f"活动的服务时长按{schema.KINDS['activities'].label}登记，"
            f"志愿者的服务时长按{schema.KINDS['volunteer'].label}统计。）")


def draft_facts(report: Report) -> list[Fact]:
    """The figures of `draft_summary(report)`, in the order they appear."""
    return _draft(report).facts


def draft_summary(report: Report) -> str:
    """The drafted 工作总结 paragraph for the report's selection (Chinese prose).

    One district speaks of "全区"; the whole area of "各区县" (a few chosen
    districts by name), with the totals first, then one clause per district; one
    paragraph per section (学习, 活动, 志愿服务, 目标, 分区县), blank lines between, and
    the sources last. Figures follow the rounding rule of this module;
    `draft_facts` lists each with the value it came from.
    """
    return "\n\n".join(_draft(report).paragraphs())


_FIELD_LABELS = {"reached": "覆盖人数", "service_hours": "服务时长",
                 "completion": "目标完成率", "expected": "序时进度", "actual": "实际值",
                 "target": "目标值"}


def fact_label(fact: Fact) -> str:
    """A Chinese name for where a figure came from ("心理健康·参与人次", "参学率·同比")."""
    def name(part: str) -> str:
        ind = schema.INDICATOR_BY_NAME.get(part)
        return ind.label if ind else _FIELD_LABELS.get(part, part)

    head, _, rest = fact.key.partition(":")
    if head in ("category", "dimension"):
        category, _, field = rest.partition(":")
        return f"{category}·{name(field)}"
    if head == "target":
        indicator, _, field = rest.partition(":")
        return f"{name(indicator)}·{name(field)}"
    if head == "yoy":
        return f"{name(rest)}·同比"
    if head == "stars":
        return "星级志愿者" if not rest else stars.star_labels().get(int(rest), rest)
    return name(fact.key)


# --- the sections of a 工作总结 -------------------------------------------------

SECTIONS = ("三力一度", "评优表彰", "组织建设", "新媒体", "专项")


def _honours(d: _Draft, report: Report) -> None:
    """"评选出“五四红旗团委”4个，“优秀共青团员”54名…，共…个集体和个人获荣誉称号"."""
    table = report.honours
    if table is None or not len(table):
        return
    units = {c.name: c.get("measure", "个") for c in schema.choice_list("recipient_types")}
    parts = [f"“{row.honour}”{d.fig(f'honour:{row.honour}:{row.level}', row.count, 'exact')}"
             f"{units.get(row.recipient_type, '个')}"
             for row in table.itertuples(index=False)]
    totals = report.honour_totals
    text = "评选表彰" + "，".join(parts)
    text += (f"，共{d.fig('honours:total', totals['total'], 'exact')}个集体和个人获荣誉称号"
             f"（集体{d.fig('honours:集体', totals.get('集体', 0), 'exact')}个、"
             f"个人{d.fig('honours:个人', totals.get('个人', 0), 'exact')}名）")
    d.sentences.append(text + "。")


def _organisation(d: _Draft, report: Report) -> None:
    """"团组织完成换届11个，专职书记配备率100%，组建青年突击队19支，推进改革举措41项"."""
    table = report.organisation
    if table is None or not len(table):
        return
    what = {c.name: c.get("what") or c.name for c in schema.choice_list("organisation_items")}
    parts = []
    for row in table.itertuples(index=False):
        unit = row.measure or "个"
        figure = d.fig(f"organisation:{row.item}", row.count, "exact")
        parts.append(f"{what.get(row.item, row.item)}{figure}{unit}")
    d.sentences.append("组织建设方面，" + "，".join(parts) + "。")


def _media(d: _Draft, report: Report) -> None:
    """Per 栏目: "通过微信公众号开展“青春热议二十大”专栏，发表文章8篇，阅读量达5万人次"."""
    table = report.media
    if table is None or not len(table):
        return
    parts = []
    for row in table.itertuples(index=False):
        key = f"media:{row.column}"
        part = (f"通过{row.platform}开展“{row.column}”专栏，发表文章"
                f"{d.fig(f'{key}:articles', row.articles, 'exact')}{measure('articles')}")
        if row.participants > 0:
            part += f"，{d.fig(f'{key}:participants', row.participants, 'exact')}名青年参与"
        if row.reads > 0:
            part += f"，阅读量达{d.fig(f'{key}:reads', row.reads, 'exact')}{measure('reads')}"
        parts.append(part)
    totals = report.media_totals
    text = "新媒体方面，" + "；".join(parts)
    if len(table) > 1:
        text += (f"；累计发布{d.fig('media:articles', totals['articles'], 'exact')}"
                 f"{measure('articles')}")
    d.sentences.append(text + "。")


def _projects(d: _Draft, report: Report) -> None:
    """One sentence per 专项 with each of its figures (场次, 人次, 受助人数, 筹款, 每人…)."""
    table = report.projects
    if table is None or not len(table):
        return
    for row in table.itertuples(index=False):
        key = f"project:{row.project}"

        def fig(name: str, style: FactStyle = "exact", _row=row, _key=key) -> str:
            return d.fig(f"{_key}:{name}", getattr(_row, name), style)

        parts = []
        if _present(row.sessions):
            parts.append(f"开展活动{fig('sessions')}{measure('sessions')}")
        if _present(row.participants):
            parts.append(f"参与青年{fig('participants')}{measure('participants')}")
        if _present(row.reached):
            parts.append(f"覆盖群众{fig('reached')}{measure('reached')}")
        if _present(row.volunteers):
            parts.append(f"志愿者{fig('volunteers')}名")
        if _present(row.service_hours):
            parts.append(f"总服务时长{fig('service_hours', 'total')}{measure('hours')}")
        if _present(row.beneficiaries):
            parts.append(f"帮扶{fig('beneficiaries')}{measure('beneficiaries')}")
        if _present(row.funds):
            parts.append(f"筹款{fig('funds', 'money')}")
            if _present(row.beneficiaries):
                each = float(row.funds) / float(row.beneficiaries)
                parts.append(f"每人{d.fig(f'{key}:per_person', each, 'money')}")
        if parts:
            d.sentences.append(f"{row.project}专项：" + "，".join(parts) + "。")


_SECTION_WRITERS = {"评优表彰": _honours, "组织建设": _organisation, "新媒体": _media,
                    "专项": _projects}


def _section_drafts(report: Report, sections: tuple[str, ...] | None) -> list[tuple[str, _Draft]]:
    chosen = SECTIONS if sections is None else tuple(s for s in SECTIONS if s in sections)
    out = []
    for name in chosen:
        if name == "三力一度":
            d = _draft(report)
        else:
            d = _Draft()
            _SECTION_WRITERS[name](d, report)
        if d.sentences:
            out.append((name, d))
    return out


def draft_sections(report: Report, sections: tuple[str, ...] | None = None
                   ) -> list[tuple[str, str]]:
    """The drafted 工作总结 by section (title, text): 三力一度 (the paragraph of
    `draft_summary`), 评优表彰, 组织建设, 新媒体, 专项 — the chosen ones, in that
    order; a section without data is left out."""
    return [(name, "".join(d.sentences)) for name, d in _section_drafts(report, sections)]


def draft_section_facts(report: Report, sections: tuple[str, ...] | None = None) -> list[Fact]:
    """The figures of `draft_sections`, in the order they appear."""
    return [f for _name, d in _section_drafts(report, sections) for f in d.facts]


def parse_sections(text: str | None) -> tuple[str, ...] | None:
    """"评优表彰,专项" -> ("评优表彰", "专项"); None (all) for no text; unknown names raise ValueError."""
    if not text:
        return None
    names = tuple(n.strip() for n in text.replace("，", ",").replace("、", ",").split(",")
                  if n.strip())
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise ValueError(f"没有名为“{'、'.join(unknown)}”的工作总结部分，可选：{'、'.join(SECTIONS)}")
    return names


def extra_sections(report: Report, sections: tuple[str, ...] | None = None
                   ) -> list[tuple[str, str]]:
    """The chosen sections beyond the 三力一度 paragraph, for exports that show that paragraph first."""
    return [(n, t) for n, t in draft_sections(report, sections) if n != "三力一度"]


def shows_paragraph(sections: tuple[str, ...] | None) -> bool:
    """Whether the 三力一度 paragraph (`draft_summary`) is among the chosen sections."""
    return sections is None or "三力一度" in sections
