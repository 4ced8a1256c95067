"""Generate the bundled sample data: six fictional districts, 2025-01 to 2026-10.

Run from the repository root (a fixed seed makes the output byte-identical):

    python sample_data/generate.py            # rewrites sample_data/
    python sample_data/generate.py --out DIR

Every file must pass `python -m analytics check FILE` with exit 0. Some files
deliberately look like the sheets staff really keep (merged title rows, a
填报单位 line, 序号 and 合计 rows, 注 lines, a two-row header, numbers written
as text with units, one legacy .xls and one GBK .csv), so the sample also
exercises the loader.
"""
from __future__ import annotations

import argparse
import calendar
import csv
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
import xlwt

if __package__ in (None, ""):  # run as a script: make `analytics` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import schema
from analytics.present.templates import write_instructions

SEED = 20260301
# spread of how often a volunteer serves (lognormal σ): with 1.5 about 2 % of a
# district's volunteers pass 100 hours over the sample's 22 months, a few 300,
# as star certification lists usually look
CORE_SPREAD = 1.5
# records a month, as a share of the pool (before one-per-person-per-day)
SERVICE_SHARE = 0.22
LAST_DAY = date(2026, 10, 31)            # no sample date falls after this day
MONTHS: tuple[tuple[int, int], ...] = tuple(
    (y, m) for y in (2025, 2026) for m in range(1, 13) if (y, m) <= (LAST_DAY.year, LAST_DAY.month))
_CREATED = datetime(2026, 11, 1)          # fixed document date: reproducible bytes
OUT_DIR = Path(__file__).resolve().parent


# --- who and what -----------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """How a district's staff lay out their sheets (each district keeps its own habit)."""

    title: bool = False          # merged title row + 填报单位/日期 line above the header
    serial: bool = False         # a 序号 column
    total_row: bool = False      # a 合计 row under the data
    note: bool = False           # a 注： line under the table
    group_header: bool = False   # two-row merged header on the activities sheet
    text_numbers: bool = False   # a few numbers written as text, with units
    month_style: str = "iso"     # iso "2026-03" | cn "2026年3月" | date (an Excel date)
    period_style: str = "year"   # year "2026年第3期" | season "第十四季第三期"
    rate: bool = False           # a 参学率 column on the study sheet


@dataclass(frozen=True)
class District:
    name: str
    code: str                    # volunteer id prefix, e.g. QS-000123
    streets: tuple[str, ...]
    study_rate: float            # typical 参学率
    activities: tuple[int, int]  # activities a month (low, high)
    volunteers: int              # size of the volunteer pool
    lag: tuple[str, ...]         # indicators whose targets this district lags
    layout: Layout


DISTRICTS: tuple[District, ...] = (
    District("青山区", "QS", ("桃源", "松林", "翠微", "石门", "青云", "望山"), 0.965, (22, 38), 760,
             (), Layout(title=True, serial=True, total_row=True, note=True, month_style="cn",
                        rate=True)),
    District("临江区", "LJ", ("江滨", "渡口", "柳岸", "沙洲", "临港"), 0.945, (18, 32), 620,
             ("volunteer_count",), Layout(title=True, serial=True, group_header=True)),
    District("东湖区", "DH", ("湖滨", "鹭洲", "荷塘", "东亭", "碧波", "莲花"), 0.975, (25, 40), 980,
             (), Layout(text_numbers=True, rate=True, month_style="date")),
    District("南湾区", "NW", ("湾头", "渔港", "海棠", "南浦"), 0.872, (15, 24), 600,
             ("study_rate", "activity_sessions", "volunteer_hours"),
             Layout(note=True, period_style="season")),
    District("北岭区", "BL", ("岭上", "松涛", "北关", "枫林", "石桥"), 0.905, (16, 28), 560,
             ("study_rate", "activity_participants"), Layout()),
    District("西桥区", "XQ", ("桥东", "西园", "虹桥", "槐荫", "杏坛"), 0.955, (18, 30), 580,
             (), Layout(rate=True, month_style="cn")),
)

# which sample files take a legacy format (the rest are .xlsx)
XLS_FILE = ("西桥区", (2025, 1))
GBK_CSV = ("北岭区", (2025, 2), "study")

_COMPANIES = ("星辰科技", "汇通物流", "瑞丰建设", "云帆数据", "恒信电子", "蓝海水务", "鼎盛食品",
              "长风汽车", "华岳医药", "启明软件", "安和物业", "金穗农业", "远航港务", "天衡电力",
              "锦程文旅", "众合商贸", "德润环保", "新禾传媒", "凌云航空", "泰丰纺织", "博远教育",
              "和信金融", "青禾乳业", "卓越精工", "同舟船舶", "嘉禾置业", "银河通信", "万象商业")
_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
                  "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
_GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建玲宇浩凯婷雪琳晨欣悦"
               "子涵梓轩雨彤思远嘉怡俊博文昊天佳琪一诺若曦宏亮晓彬鑫瑶欢颖蕾露倩楠帆阳瑞航")

# activity titles per category (canonical names from analytics/data/categories.csv)
TITLES: dict[str, tuple[str, ...]] = {
    "思想引领": ("学习贯彻党的二十大精神主题团课", "“青年大学习”集中学习", "重温入团誓词主题团日活动",
             "青年理论宣讲进基层", "“强国有我”主题教育", "团课进校园", "红色教育基地研学",
             "“青春心向党”主题宣讲", "《论党的青年工作》读书会"),
    "评优表彰": ("“五四”评优表彰大会", "优秀共青团员评选", "青年岗位能手评选", "“青年文明号”创建评选",
             "优秀青年志愿者表彰"),
    "新媒体宣传": ("“青春热议”新媒体专栏", "青年榜样网络宣传", "团属新媒体矩阵培训", "青春短视频大赛",
              "“云上团课”直播"),
    "组织建设": ("基层团组织换届选举", "团干部能力提升培训", "推优入党工作推进会", "“智慧团建”数据核查",
             "团支部规范化建设检查", "两新组织建团工作推进会"),
    "心理健康": ("心理健康进社区", "青少年心理健康讲座", "“阳光心灵”团体辅导", "考前减压心理辅导",
             "心理咨询志愿服务"),
    "返家乡社会实践": ("返家乡社会实践", "大学生“向基层报到”", "返家乡实践岗位对接会", "暑期社会实践成果分享"),
    "助学帮困": ("“希望工程·圆梦行动”助学", "困难青少年走访慰问", "“微心愿”认领活动", "金秋助学",
             "留守儿童结对帮扶"),
    "就业创业": ("青年就业专场招聘会", "大学生实习岗位对接", "青年创业沙龙", "直播带岗", "就业见习基地推介"),
    "技能培训": ("青年职业技能培训", "电商直播技能培训", "青年技能大赛", "团干部办公技能培训"),
    "志愿服务": ("“学雷锋”志愿服务", "文明劝导志愿服务", "社区清洁志愿行动", "关爱老人志愿服务",
             "交通文明志愿岗", "“河小青”护河行动", "垃圾分类宣传志愿服务", "图书馆志愿服务"),
    "疫情防控": ("流感防控知识宣传", "公共卫生应急志愿服务"),
    "安全教育": ("青少年防溺水宣传进社区", "防溺水安全教育进校园", "交通安全宣传", "网络安全宣传周活动",
             "防范电信诈骗宣传", "消防安全演练"),
    "乡村振兴": ("直播助农", "乡村振兴青年突击队行动", "科技下乡", "青春助力乡村振兴调研", "农产品展销助农"),
    "其他": ("青年联谊交友活动", "青年篮球友谊赛", "青年读书分享会"),
}
_CATEGORY_WEIGHT = {"思想引领": 16, "评优表彰": 3, "新媒体宣传": 6, "组织建设": 9, "心理健康": 7,
                    "返家乡社会实践": 3, "助学帮困": 6, "就业创业": 5, "技能培训": 5, "志愿服务": 18,
                    "疫情防控": 1, "安全教育": 9, "乡村振兴": 6, "其他": 2}
# month boosts: 返家乡 in winter and summer breaks, 防溺水 in summer, 五四 in April/May
_SEASON = {"返家乡社会实践": {1: 5, 2: 5, 7: 5, 8: 5}, "安全教育": {5: 2, 6: 3, 7: 3, 8: 2},
           "评优表彰": {4: 5, 5: 5}, "志愿服务": {3: 2, 12: 1.5}}
_SERVICE_CATEGORIES = {"志愿服务", "安全教育", "疫情防控", "乡村振兴", "心理健康", "助学帮困"}
_PROJECTS = ("社区志愿服务", "新时代文明实践站值守", "文明劝导", "关爱老人", "垃圾分类宣传",
             "“河小青”护河", "图书馆志愿服务", "交通文明岗", "防溺水巡河", "助农直播")
_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..99 in Chinese numerals (期次 labels such as 第十四季第三期)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


# --- simulation (pure: seed in, frames out) --------------------------------------

def make_units(rng: np.random.Generator, d: District) -> pd.DataFrame:
    """25–40 基层团组织 with their 团员 counts (200–3000)."""
    units: list[tuple[str, int]] = [(f"{d.name}区直机关团工委", int(rng.integers(200, 420)))]
    n_schools = int(rng.integers(7, 11))
    for i in range(1, n_schools + 1):
        units.append((f"{d.name}第{_cn_number(i)}中学团委", int(rng.integers(900, 3000))))
    units.append((f"{d.name}职业技术学校团委", int(rng.integers(1200, 3000))))
    for street in d.streets:
        units.append((f"{street}街道团工委", int(rng.integers(300, 1500))))
    units.append((f"{d.name}人民医院团委", int(rng.integers(200, 600))))
    units.append((f"{d.name}中医院团支部", int(rng.integers(200, 350))))
    n_companies = int(rng.integers(25, 41)) - len(units)
    for company in rng.choice(_COMPANIES, size=min(max(n_companies, 4), len(_COMPANIES)),
                              replace=False):
        suffix = "有限公司团委" if rng.random() < 0.6 else "有限公司团支部"
        units.append((f"{d.name[:2]}{company}{suffix}", int(rng.integers(200, 800))))
    frame = pd.DataFrame(units, columns=["unit", "members"])
    frame["offset"] = rng.normal(0, 0.02, len(frame))   # some units study better than others
    return frame


def make_study(rng: np.random.Generator, d: District, units: pd.DataFrame,
               year: int, month: int) -> pd.DataFrame:
    """One row per unit for the month's 青年大学习 period."""
    dip = {1: 0.02, 2: 0.025, 7: 0.015, 8: 0.015}.get(month, 0.0)  # school holidays
    months_in = (year - 2025) * 12 + month
    members = (units["members"] * (1 + 0.002 * months_in)
               + rng.integers(-6, 7, len(units))).round().astype("int64")
    rate = np.clip(d.study_rate - dip + units["offset"] + rng.normal(0, 0.012, len(units)),
                   0.70, 1.0)
    learners = np.minimum((members * rate).round().astype("int64"), members)
    if d.layout.period_style == "season":
        period = f"第{_cn_number(year - 2011)}季第{_cn_number(month)}期"
    else:
        period = f"{year}年第{month}期"
    return pd.DataFrame({
        "period": period, "month": f"{year}-{month:02d}", "district": d.name,
        "unit": units["unit"], "members": members, "learners": learners,
        "rate": (learners / members).round(4),
    })


def make_activities(rng: np.random.Generator, d: District, units: pd.DataFrame,
                    year: int, month: int) -> pd.DataFrame:
    """15–40 activities held in the month, across the categories."""
    cats = list(TITLES)
    weights = np.array([_CATEGORY_WEIGHT[c] * _SEASON.get(c, {}).get(month, 1) for c in cats],
                       dtype=float)
    n = int(rng.integers(d.activities[0], d.activities[1] + 1))
    days = calendar.monthrange(year, month)[1]
    rows = []
    for cat in rng.choice(cats, size=n, p=weights / weights.sum()):
        title = str(rng.choice(TITLES[cat]))
        unit = str(rng.choice(units["unit"]))
        if "街道" in unit and rng.random() < 0.4:
            title = f"{title}（{unit.removesuffix('团工委')}）"
        sessions = int(rng.choice([1, 1, 1, 1, 2, 3, 5])) if cat != "评优表彰" else 1
        participants = int(np.clip(rng.lognormal(4.3, 0.8), 12, 1500)) * sessions
        volunteers = hours = reached = funds = None
        if cat in _SERVICE_CATEGORIES:
            volunteers = int(rng.integers(4, 45))
            hours = float(round(volunteers * rng.uniform(2, 5) * sessions * 2) / 2)
        if cat in ("安全教育", "新媒体宣传", "心理健康", "疫情防控") or rng.random() < 0.15:
            reached = int(participants * rng.uniform(1.5, 6))
        if rng.random() < 0.45:
            funds = float(rng.integers(2, 200) * 100)
        rows.append({
            "date": datetime(year, month, int(rng.integers(1, days + 1))),
            "district": d.name, "unit": unit, "title": title, "category": cat,
            "sessions": sessions, "participants": participants, "volunteers": volunteers,
            "service_hours": hours, "reached": reached, "funds": funds,
        })
    return pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)


def make_volunteer_pool(rng: np.random.Generator, d: District,
                        units: pd.DataFrame) -> pd.DataFrame:
    """The district's volunteers: most have an id, a few are known by name only."""
    names: set[str] = set()
    rows = []
    for i in range(d.volunteers):
        while True:
            name = str(rng.choice(_SURNAMES)) + "".join(
                rng.choice(_GIVEN, size=int(rng.choice([1, 2, 2]))))
            if name not in names:
                names.add(name)
                break
        has_id = rng.random() < 0.9
        rows.append({
            "volunteer_id": f"{d.code}-{i + 1:06d}" if has_id else None,
            "name": name,
            "unit": str(rng.choice(units["unit"])),
            "weight": float(rng.lognormal(0, CORE_SPREAD)),   # a few core volunteers serve often
            "project": str(rng.choice(_PROJECTS)),
        })
    return pd.DataFrame(rows)


def make_volunteer(rng: np.random.Generator, d: District, pool: pd.DataFrame,
                   year: int, month: int) -> pd.DataFrame:
    """The month's service records: one row per volunteer per service, 1–8 hours each."""
    boost = {3: 1.4, 7: 1.2, 8: 1.2, 12: 1.1, 2: 0.7}.get(month, 1.0)
    n = int(len(pool) * SERVICE_SHARE * boost * rng.uniform(0.85, 1.15))
    days = calendar.monthrange(year, month)[1]
    who = rng.choice(len(pool), size=n, p=(pool["weight"] / pool["weight"].sum()).to_numpy())
    day = rng.integers(1, days + 1, size=n)
    hours = rng.choice([1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8], size=n,
                       p=[.06, .06, .16, .12, .16, .1, .14, .09, .07, .04])
    rows = pool.iloc[who].reset_index(drop=True)
    own_project = rng.random(n) < 0.7
    frame = pd.DataFrame({
        "volunteer_id": rows["volunteer_id"], "name": rows["name"], "district": d.name,
        "unit": rows["unit"],
        "project": np.where(own_project, rows["project"], rng.choice(_PROJECTS, size=n)),
        "date": [datetime(year, month, int(x)) for x in day],
        "hours": hours.astype(float),
    })
    frame = frame.drop_duplicates(["name", "unit", "date"])  # one record per person per day
    return frame.sort_values(["date", "name"], kind="stable").reset_index(drop=True)


@dataclass
class DistrictData:
    district: District
    activities: dict[tuple[int, int], pd.DataFrame]
    study: dict[tuple[int, int], pd.DataFrame]
    volunteer: dict[tuple[int, int], pd.DataFrame]


def simulate(seed: int = SEED) -> list[DistrictData]:
    """Every district's monthly frames (canonical column names)."""
    out = []
    for i, d in enumerate(DISTRICTS):
        rng = np.random.default_rng([seed, i])
        units = make_units(rng, d)
        pool = make_volunteer_pool(rng, d, units)
        data = DistrictData(d, {}, {}, {})
        for ym in MONTHS:
            data.activities[ym] = make_activities(rng, d, units, *ym)
            data.study[ym] = make_study(rng, d, units, *ym)
            data.volunteer[ym] = make_volunteer(rng, d, pool, *ym)
        out.append(data)
    return out


def actuals(data: DistrictData, year: int) -> dict[str, float]:
    def cat(frames: dict) -> pd.DataFrame:
        return pd.concat([f for (y, _), f in frames.items() if y == year])
    act, study, vol = cat(data.activities), cat(data.study), cat(data.volunteer)
    person = np.where(vol["volunteer_id"].notna(), vol["volunteer_id"],
                      vol["name"] + "|" + vol["unit"])
    return {
        "study_learners": float(study["learners"].sum()),
        "activity_sessions": float(act["sessions"].sum()),
        "activity_participants": float(act["participants"].sum()),
        "volunteer_count": float(len(set(person))),
        "volunteer_hours": float(vol["hours"].sum()),
    }


def _nice(x: float) -> float:
    """Round a target the way a committee would write it (two significant figures)."""
    digits = max(int(np.floor(np.log10(x))) - 1, 0)
    return float(round(x / 10 ** digits) * 10 ** digits)


def make_targets(rng: np.random.Generator, data: list[DistrictData], year: int,
                 extra: list[tuple] = ()) -> pd.DataFrame:
    """Annual targets; districts listed in `District.lag` are set to fall behind.

    2026 data run to October: an on-track district has done 87–95 % of its
    target by then (序时进度 is 83 % at 31 Oct, 90 % late November); a lagging
    one 62–72 %. For 2025 (a full year): 100–108 % against 80–90 %.
    """
    rows = []
    totals: dict[str, float] = {}
    for dd in data:
        actual = actuals(dd, year)
        lagging = dd.district.lag
        for ind in (i.name for i in schema.INDICATORS):
            if ind == "study_rate":
                # a district known to sit just under 95 % agrees a lower rate target
                value = 0.93 if dd.district.study_rate < 0.95 and ind not in lagging else 0.95
            elif ind in actual:
                if year == 2026:
                    lo, hi = (0.62, 0.72) if ind in lagging else (0.87, 0.95)
                else:
                    lo, hi = (0.80, 0.90) if ind in lagging else (1.00, 1.08)
                value = _nice(actual[ind] / rng.uniform(lo, hi))
                totals[ind] = totals.get(ind, 0.0) + value
            else:
                continue
            rows.append((year, dd.district.name, schema.INDICATOR_BY_NAME[ind].label, value))
    rows.append((year, schema.ALL_DISTRICTS, "参学率", 0.95))
    for ind in ("study_learners", "activity_sessions", "volunteer_hours"):
        label = schema.INDICATOR_BY_NAME[ind].label
        rows.append((year, schema.ALL_DISTRICTS, label, _nice(totals[ind])))
    rows += extra                 # e.g. summary_targets
    return pd.DataFrame(rows, columns=["year", "district", "indicator", "value"])


def summary_targets(rng: np.random.Generator, summary: dict[str, pd.DataFrame],
                    year: int) -> list[tuple]:
    """Targets of 获评荣誉 and the 组织建设 items that take one, per district: near what
    the district did (some a little behind 序时进度, some ahead)."""
    honours = summary["honours"].groupby("district")["count"].sum()
    items = summary["organisation"].groupby(["district", "item"])["count"].sum()
    rows = []
    for d in DISTRICTS:
        actual = {schema.HONOURS_TARGET: honours.get(d.name, 0)}
        for ind in schema.SUMMARY_TARGET_INDICATORS[1:]:
            actual[ind.name] = items.get((d.name, ind.label), 0)
        for ind in schema.SUMMARY_TARGET_INDICATORS:
            value = float(actual[ind.name])
            if value > 0:
                rows.append((year, d.name, ind.label, _nice(value / rng.uniform(0.75, 1.05))))
    return rows


# --- sheets as rows of cells ----------------------------------------------------

@dataclass
class Sheet:
    """A sheet ready to write: lines above the header, header rows, body, lines below."""

    name: str
    width: int
    above: list[str]               # merged full-width lines (title, 填报单位)
    header: list[list[str | None]]  # one or two rows; None = covered by a merge
    merges: list[tuple[int, int, int, int, str]]  # header merges (r1, c1, r2, c2, text), header-relative
    body: list[list[object]]
    kinds: list[str]               # per column: "text" | "int" | "number" | "date" | "rate"
    below: list[str]               # lines under the table (注：)


_LABEL = {k: {f.name: f.label for f in kind.fields} for k, kind in schema.KINDS.items()}


def _month_cell(style: str, year: int, month: int) -> object:
    if style == "cn":
        return f"{year}年{month}月"
    if style == "date":
        return datetime(year, month, 1)
    return f"{year}-{month:02d}"


def _frame_sheet(kind: str, frame: pd.DataFrame, fields: list[str], layout: Layout,
                 title: str, footer: str, cell_kinds: dict[str, str],
                 totals: tuple[str, ...] = ()) -> Sheet:
    labels = [_LABEL[kind][f] for f in fields]
    kinds = [cell_kinds.get(f, "text") for f in fields]
    body = [[None if pd.isna(v) else v for v in row]
            for row in frame[fields].astype(object).itertuples(index=False)]
    if layout.serial:
        labels = ["序号", *labels]
        kinds = ["int", *kinds]
        body = [[n, *row] for n, row in enumerate(body, start=1)]
    if layout.total_row and totals:
        total: list[object] = [None] * len(labels)
        total[0] = "合计"
        offset = 1 if layout.serial else 0
        for f in totals:
            total[fields.index(f) + offset] = frame[f].sum()
        if "rate" in fields:
            total[fields.index("rate") + offset] = round(
                frame["learners"].sum() / frame["members"].sum(), 4)
        body.append(total)
    above = [title, footer] if layout.title else []
    below = ["注：" + _NOTES[kind]] if layout.note else []
    return Sheet(schema.KINDS[kind].label, len(labels), above, [labels], [], body, kinds, below)


_NOTES = {
    "activities": "参与人次含线上参与人数；服务时长为本次活动志愿服务总时长（小时）；经费单位为元。",
    "study": "参学率＝参学人数÷团员数，数据来源于“智慧团建”系统。",
    "volunteer": "服务时长以小时计，以“志愿汇”平台记录为准。",
}


def _group_header(sheet: Sheet, groups: dict[str, tuple[str, ...]]) -> None:
    """Turn the header into two rows with merged group cells (开展情况 over 场次 | 参与人次)."""
    top: list[str | None] = []
    bottom: list[str | None] = []
    merges = []
    labels = sheet.header[0]
    col = 0
    while col < len(labels):
        group = next((g for g, members in groups.items() if labels[col] == members[0]), None)
        if group:
            span = len(groups[group])
            top += [group] + [None] * (span - 1)
            bottom += labels[col:col + span]
            merges.append((0, col, 0, col + span - 1, group))
            col += span
        else:
            top.append(labels[col])
            bottom.append(None)
            merges.append((0, col, 1, col, labels[col]))
            col += 1
    sheet.header = [top, bottom]
    sheet.merges = merges


def _text_numbers(rng: np.random.Generator, sheet: Sheet, units: dict[str, str]) -> None:
    """Write a few numbers as text the way people type them: 450人次, 3.5小时, 1,200, 2026.3.5."""
    header = sheet.header[-1]
    for label, unit in units.items():
        if label not in header:
            continue
        col = header.index(label)
        rows = [r for r in range(len(sheet.body))
                if isinstance(sheet.body[r][col], (int, float)) and sheet.body[r][0] != "合计"]
        for r in rng.choice(rows, size=min(2, len(rows)), replace=False):
            value = sheet.body[r][col]
            if unit == ",":
                sheet.body[r][col] = f"{int(value):,}"
            else:
                sheet.body[r][col] = f"{value:g}{unit}"
    if "日期" in header:
        col = header.index("日期")
        for r, style in zip(rng.choice(len(sheet.body), size=2, replace=False),
                            ("{y}.{m}.{d}", "{y}年{m}月{d}日")):
            day = sheet.body[r][col]
            sheet.body[r][col] = style.format(y=day.year, m=day.month, d=day.day)


_ACTIVITY_FIELDS = ["date", "district", "unit", "title", "category", "sessions", "participants",
                    "volunteers", "service_hours", "reached", "funds"]
_ACTIVITY_KINDS = {"date": "date", "sessions": "int", "participants": "int", "volunteers": "int",
                   "service_hours": "number", "reached": "int", "funds": "number"}
_VOLUNTEER_FIELDS = ["volunteer_id", "name", "district", "unit", "project", "date", "hours"]


def district_month_sheets(rng: np.random.Generator, dd: DistrictData,
                          year: int, month: int) -> dict[str, Sheet]:
    """The three data sheets of one district's monthly workbook."""
    d, layout = dd.district, dd.district.layout
    last = calendar.monthrange(year, month)[1]
    footer = f"填报单位：共青团{d.name}委员会　　　　填报日期：{year}年{month}月{last}日"
    ym = (year, month)

    activities = _frame_sheet(
        "activities", dd.activities[ym], _ACTIVITY_FIELDS, layout,
        f"{d.name}{year}年{month}月团务工作月报", footer, _ACTIVITY_KINDS,
        totals=("sessions", "participants", "volunteers", "service_hours", "reached", "funds"))
    if layout.group_header:
        _group_header(activities, {"开展情况": ("场次", "参与人次"),
                                   "志愿服务": ("志愿者人数", "服务时长")})

    study_frame = dd.study[ym].copy()
    study_frame["month"] = [_month_cell(layout.month_style, year, month)] * len(study_frame)
    study_fields = ["period", "month", "district", "unit", "members", "learners"]
    if layout.rate:
        study_fields.append("rate")
    study = _frame_sheet(
        "study", study_frame, study_fields, layout,
        f"{d.name}{year}年{month}月青年大学习参学情况统计表", footer,
        {"members": "int", "learners": "int", "rate": "rate",
         "month": "date" if layout.month_style == "date" else "text"},
        totals=("members", "learners"))

    volunteer = _frame_sheet(
        "volunteer", dd.volunteer[ym], _VOLUNTEER_FIELDS, layout,
        f"{d.name}{year}年{month}月志愿服务记录", footer, {"date": "date", "hours": "number"},
        totals=("hours",))

    if layout.text_numbers:
        _text_numbers(rng, activities, {"参与人次": "人次", "服务时长": "小时"})
        _text_numbers(rng, study, {"团员数": ",", "参学人数": "人"})
        _text_numbers(rng, volunteer, {"服务时长": "小时"})
    return {"activities": activities, "study": study, "volunteer": volunteer}


def targets_sheet(frame: pd.DataFrame, year: int) -> Sheet:
    labels = [_LABEL["targets"][f] for f in ("year", "district", "indicator", "value")]
    body = [list(row) for row in frame[["year", "district", "indicator", "value"]]
            .astype(object).itertuples(index=False)]
    kinds = ["int", "text", "text", "target"]
    above = [f"{year}年度共青团重点工作目标"] if year == 2026 else []
    below = ["注：参学率为全年加权参学率目标；“全部”为全区合计目标。"] if year == 2026 else []
    return Sheet("年度目标", len(labels), above, [labels], [], body, kinds, below)


# --- the 工作总结 kinds: 评优表彰, 组织建设, 新媒体 --------------------------------------

# (honour, level, 集体/个人, how many a district gets in a year (low, high))
HONOURS: tuple[tuple[str, str, str, tuple[int, int]], ...] = (
    ("五四红旗团委", "市", "集体", (0, 2)), ("五四红旗团支部", "区", "集体", (2, 6)),
    ("优秀共青团员", "区", "个人", (20, 60)), ("优秀团干部", "区", "个人", (8, 35)),
    ("青年五四奖章", "市", "个人", (0, 3)), ("优秀青年志愿者", "区", "个人", (15, 90)),
    ("青年文明号", "市", "集体", (1, 6)),
)
# (item, months it is reported in, count a time (low, high))
ORGANISATION: tuple[tuple[str, tuple[int, ...], tuple[int, int]], ...] = (
    ("换届", (3, 9), (0, 4)), ("推优入党", (3, 6, 9, 12), (3, 15)),
    ("发展团员", (4, 10), (20, 60)), ("青年之家", (6, 12), (0, 3)),
    ("青年突击队", (2, 7), (1, 5)), ("改革举措", (5, 11), (2, 8)),
)
# (platform, 栏目/专题, articles a month (low, high), reads an article (low, high), with 参与人数)
MEDIA: tuple[tuple[str, str, tuple[int, int], tuple[int, int], bool], ...] = (
    ("微信公众号", "青年大学习", (1, 3), (300, 2500), False),
    ("微信公众号", "青春热议", (0, 2), (800, 6000), True),
    ("微信公众号", "团务动态", (1, 4), (200, 1200), False),
    ("视频号", "青春短视频", (0, 2), (500, 9000), True),
)


def summary_frames(rng: np.random.Generator, year: int) -> dict[str, pd.DataFrame]:
    """Every district's honours of `year`, and its 组织建设 and 新媒体 rows up to LAST_DAY."""
    honours, organisation, media = [], [], []
    months = [m for y, m in MONTHS if y == year]
    for d in DISTRICTS:
        for honour, level, kind, (lo, hi) in HONOURS:
            count = int(rng.integers(lo, hi + 1))
            if count:
                honours.append((year, d.name, honour, level, kind, count, f"共青团{d.name}委员会"
                                if level == "区" else "共青团市委"))
        for item, item_months, (lo, hi) in ORGANISATION:
            for month in item_months:
                if month in months and (count := int(rng.integers(lo, hi + 1))):
                    organisation.append((f"{year}-{month:02d}", d.name, "团区委", item, count))
        for month in months:
            for platform, column, (lo, hi), (rlo, rhi), joined in MEDIA:
                for n in range(int(rng.integers(lo, hi + 1))):
                    day = int(rng.integers(1, calendar.monthrange(year, month)[1] + 1))
                    media.append((datetime(year, month, day), d.name, platform, column,
                                  f"{column}｜{d.name}{month}月第{n + 1}期",
                                  int(rng.integers(rlo, rhi)), int(rng.integers(2, 120)),
                                  int(rng.integers(5, 40)) if joined else None))
    return {
        "honours": pd.DataFrame(honours, columns=["year", "district", "honour", "level",
                                                  "recipient_type", "count", "grantor"]),
        "organisation": pd.DataFrame(organisation, columns=["month", "district", "unit", "item",
                                                            "count"]),
        "media": pd.DataFrame(media, columns=["date", "district", "platform", "column", "title",
                                              "reads", "shares", "participants"]),
    }


def summary_sheets(frames: dict[str, pd.DataFrame]) -> list[Sheet]:
    """The 评优表彰, 组织建设 and 新媒体 sheets of one year's workbook (plain layout)."""
    cells = {"honours": {"year": "int", "count": "int"},
             "organisation": {"count": "int"},
             "media": {"date": "date", "reads": "int", "shares": "int", "participants": "int"}}
    return [_frame_sheet(kind, frame, list(frame.columns), Layout(), "", "", cells[kind])
            for kind, frame in frames.items()]


# --- writers ----------------------------------------------------------------------

class _XlsxFormats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14, "align": "center",
                                    "valign": "vcenter"})
        self.line = wb.add_format({"align": "left"})
        self.head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter",
                                   "border": 1, "bg_color": "#d9e1f2", "text_wrap": True})
        self.cell = {
            "text": wb.add_format({"border": 1}),
            "int": wb.add_format({"border": 1, "num_format": "0"}),
            "number": wb.add_format({"border": 1, "num_format": "0.0#"}),
            "date": wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"}),
            "month": wb.add_format({"border": 1, "num_format": "yyyy-mm"}),
            "rate": wb.add_format({"border": 1, "num_format": "0.00%"}),
            "target": wb.add_format({"border": 1, "num_format": "0.##"}),
            "percent": wb.add_format({"border": 1, "num_format": "0%"}),
        }


def _write_xlsx_sheet(wb: xlsxwriter.Workbook, fmt: _XlsxFormats, sheet: Sheet) -> None:
    ws = wb.add_worksheet(sheet.name)
    row = 0
    for i, text in enumerate(sheet.above):
        if sheet.width > 1:
            ws.merge_range(row, 0, row, sheet.width - 1, text, fmt.title if i == 0 else fmt.line)
        else:
            ws.write_string(row, 0, text)
        row += 1
    top = row
    for header_row in sheet.header:
        for col, text in enumerate(header_row):
            if text is not None:
                ws.write_string(row, col, text, fmt.head)
        row += 1
    for r1, c1, r2, c2, text in sheet.merges:
        ws.merge_range(top + r1, c1, top + r2, c2, text, fmt.head)
    for values in sheet.body:
        for col, value in enumerate(values):
            kind = sheet.kinds[col]
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, fmt.cell["text"])
            elif isinstance(value, datetime):
                style = "month" if kind == "date" and sheet.name == "青年大学习" else "date"
                ws.write_datetime(row, col, value, fmt.cell[style])
            elif kind == "target" and float(value) < 1:
                ws.write_number(row, col, float(value), fmt.cell["percent"])
            else:
                ws.write_number(row, col, float(value), fmt.cell.get(kind, fmt.cell["number"]))
        row += 1
    row += 1 if sheet.below else 0
    for text in sheet.below:
        ws.write_string(row, 0, text)
        row += 1
    header = sheet.header[-1]
    for col in range(sheet.width):
        label = header[col] or sheet.header[0][col] or ""
        width = {"活动名称": 34, "单位": 26, "服务项目": 20, "期次": 16}.get(label, 12)
        ws.set_column(col, col, width)


def write_xlsx(path: Path, sheets: list[Sheet], instructions: list[str] | None) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": _CREATED, "author": "团务数据看板示例数据"})
    fmt = _XlsxFormats(wb)
    for sheet in sheets:
        _write_xlsx_sheet(wb, fmt, sheet)
    if instructions:
        write_instructions(wb, instructions)
    wb.close()


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    """Legacy .xls (BIFF8), as older Excel and WPS still save."""
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    rate_style = xlwt.easyxf(num_format_str="0.00%")
    bold = xlwt.easyxf("font: bold on; align: horiz center")
    for sheet in sheets:
        ws = book.add_sheet(sheet.name)
        row = 0
        for text in sheet.above:
            ws.write_merge(row, row, 0, sheet.width - 1, text, bold)
            row += 1
        for col, text in enumerate(sheet.header[-1]):
            ws.write(row, col, text, bold)
        row += 1
        for values in sheet.body:
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write(row, col, value, date_style)
                elif sheet.kinds[col] == "rate" and not isinstance(value, str):
                    ws.write(row, col, float(value), rate_style)
                elif isinstance(value, str):
                    ws.write(row, col, value)
                else:
                    ws.write(row, col, float(value))
            row += 1
    notes = book.add_sheet("填表说明")
    notes.write(0, 0, "填表说明：各列填写要求见“活动台账模板”等模板文件中的填表说明。")
    book.save(str(path))


def write_csv(path: Path, sheet: Sheet, encoding: str = "gbk") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(sheet.header[-1])
        for values in sheet.body:
            out.writerow(["" if v is None else v.strftime("%Y-%m-%d")
                          if isinstance(v, datetime) else f"{v:g}" if isinstance(v, float)
                          else v for v in values])


# --- the whole sample ----------------------------------------------------------------

def generate(out: Path = OUT_DIR, seed: int = SEED) -> list[Path]:
    """Write every sample file under `out`; returns their paths (sorted)."""
    data = simulate(seed)
    _clean(out)
    written: list[Path] = []
    for i, dd in enumerate(data):
        rng = np.random.default_rng([seed, 100 + i])   # layout quirks, apart from the data
        for year, month in MONTHS:
            folder = out / f"{year}-{month:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{dd.district.name}_{year}-{month:02d}"
            sheets = district_month_sheets(rng, dd, year, month)
            if (dd.district.name, (year, month)) == XLS_FILE:
                path = folder / f"{stem}.xls"
                write_xls(path, list(sheets.values()))
                written.append(path)
                continue
            if (dd.district.name, (year, month)) == GBK_CSV[:2]:
                csv_kind = GBK_CSV[2]
                path = folder / f"{stem}_{schema.KINDS[csv_kind].label}.csv"
                write_csv(path, sheets.pop(csv_kind))
                written.append(path)
            path = folder / f"{stem}.xlsx"
            write_xlsx(path, list(sheets.values()), list(sheets))
            written.append(path)
    summaries = {year: summary_frames(np.random.default_rng([seed, 500 + year]), year)
                 for year in (2025, 2026)}     # a generator of their own, apart from the rest
    rng = np.random.default_rng([seed, 999])
    for year in (2025, 2026):
        path = out / f"targets_{year}.xlsx"
        extra = summary_targets(np.random.default_rng([seed, 600 + year]), summaries[year], year)
        write_xlsx(path, [targets_sheet(make_targets(rng, data, year, extra), year)],
                   ["targets"])
        written.append(path)
    for year, frames in summaries.items():
        path = out / f"summary_{year}.xlsx"
        write_xlsx(path, summary_sheets(frames), list(frames))
        written.append(path)
    return sorted(written)


def _clean(out: Path) -> None:
    """Remove previously generated files (month folders, target workbooks) only."""
    for year, month in MONTHS:
        folder = out / f"{year}-{month:02d}"
        if folder.is_dir():
            shutil.rmtree(folder)
    for pattern in ("targets_*.xlsx", "summary_*.xlsx"):
        for path in out.glob(pattern):
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成示例数据（固定随机种子，结果可复现）。")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="输出文件夹，默认 sample_data/")
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"已生成 {len(paths)} 个文件，共 {size / 1e6:.1f} MB：{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
