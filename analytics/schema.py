"""The sheet kinds, declared as data.

One source of truth for the loader (header matching, value parsing, row
rules), the upload page's help text and the templates. A field's rule lives
next to the field, never in an if-chain elsewhere.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


class FieldType(str, Enum):
    """How a cell is parsed; `values.py` has one parser per type."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    DATE = "date"          # a calendar day -> datetime.date
    MONTH = "month"        # a month -> "YYYY-MM" (a full date is accepted and truncated)
    YEAR = "year"          # 2026, "2026年"
    RATE = "rate"          # 97.46%, "97.46", 0.9746 -> fraction 0.9746
    CATEGORY = "category"  # text mapped onto categories.csv; unknown -> 其他 with a warning
    INDICATOR = "indicator"  # an indicator name (canonical or Chinese label)


@dataclass(frozen=True)
class Field:
    """One canonical column of a sheet kind.

    `required`: the row is rejected when the cell is blank (unless the value
    is given at upload, see `Kind.upload_fields`). `default` fills a blank
    optional cell. `min`/`max` bound numbers; `min_exclusive` makes the lower
    bound strict (members > 0, hours > 0).
    """

    name: str
    label: str
    synonyms: tuple[str, ...]
    type: FieldType
    required: bool = False
    default: object | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    hint: str = ""
    # longest text accepted; also the width of the database column (none: unbounded text)
    max_length: int | None = None
    # a unit whose written forms the cell may use (`values.UNIT_PARSERS`): "小时" reads 2小时30分, 90分钟
    unit: str = ""
    # an editable list of known values (analytics/data/<choices>.csv, see `choice_list`):
    # aliases are mapped onto the name; an unknown value is rejected when `strict`,
    # else kept as written with a warning
    choices: str | None = None
    strict: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header text that names this field (label first)."""
        return (self.label, *[s for s in self.synonyms if s != self.label])

    @property
    def nullable(self) -> bool:
        """Whether an accepted row may leave it empty (not required and no default)."""
        return not (self.required or self.default is not None)

    @property
    def dtype(self) -> str:
        """The pandas dtype of this field in a canonical frame (loader and database reads)."""
        if self.type is FieldType.INT:
            return "Int64" if self.nullable else "int64"
        if self.type is FieldType.YEAR:
            return "int64"
        if self.type in (FieldType.NUMBER, FieldType.RATE):
            return "float64"
        if self.type is FieldType.DATE:
            return "datetime64[ns]"
        return "object"


@dataclass(frozen=True)
class Total:
    """A `check` total that is not a plain sum: `how` is "distinct" (distinct
    combinations of `columns` over accepted rows) or "rows" (accepted rows)."""

    name: str
    how: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """A column that is no field itself but helps build one when the field's own column is missing.

    年份 / 月份 / 日 columns build 日期 (`role` year, month, day); 结束时间
    with the start time builds 服务时长 (`role` end). `ingest.assemble`
    reads these declarations; nothing else knows a part's name.
    """

    field: str
    role: str
    label: str
    synonyms: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.field}.{self.role}"

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *[s for s in self.synonyms if s != self.label])


# leaf headers that stand for their group: 受益人数 over 成人 | 儿童 | 合计 -> the 合计 column is 受益人数
TOTAL_LEAVES = ("合计", "总合计", "小计", "总计", "总数", "合计人数", "总人数", "共计")

# a 年份 / 月份 / 日 column set that builds a kind's date field
_DATE_PARTS = (
    Part("date", "year", "年份", ("年", "年度", "活动年份", "服务年份")),
    Part("date", "month", "月份", ("月", "活动月份", "服务月份")),
    Part("date", "day", "日", ("号",)),
)


@dataclass(frozen=True)
class Kind:
    """A sheet kind: its fields and what identifies it among the others."""

    name: str
    label: str
    fields: tuple[Field, ...]
    # fields whose headers, when found together, identify this kind
    signature: tuple[str, ...]
    # fields that may instead be given at upload (--district, --month)
    upload_fields: tuple[str, ...] = ()
    # fields whose (period) value scopes a batch: used for replace decisions
    scope_field: str = "month"
    # whether each 基层团组织 (the `unit` field) reports its own rows: the replace scope is then
    # (kind, district, unit, period), so units of one district add up instead of replacing each other
    unit_scoped: bool = False
    description: str = ""
    # columns the loader adds to every accepted row, after the fields (never read from a sheet)
    derived: tuple[Field, ...] = ()
    # what `check` reports in `totals`; empty: the sum of every numeric field
    totals: tuple[Total, ...] = ()
    # other kinds holding the same figures: a stored scope of one conflicts with the other
    shares_scope_with: tuple[str, ...] = ()
    # rows stay in force after their month (a roster): reads keep earlier years too
    carried_forward: bool = False
    # columns that help build a field whose own column is missing (see `Part`)
    parts: tuple[Part, ...] = ()
    # a field a group header can give: 2026年第33期 over 参学人数 | 参学率, repeated per 期,
    # makes one row per unit per 期 (the wide 青年大学习 summary)
    repeat_field: str | None = None
    # (date field, text field): a date written as a span (2026.7.5-7.7) counts on its first
    # day and the span, as written, is kept in the text field of the same row
    spans: tuple[tuple[str, str], ...] = ()

    def field(self, name: str) -> Field:
        for f in (*self.fields, *self.derived):
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        """The fields and derived columns: what a database row of this kind holds."""
        return (*self.fields, *self.derived)

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of the canonical frame: fields, derived columns, `source_row`."""
        return (*(f.name for f in self.stored_fields), SOURCE_ROW)

    @property
    def dtypes(self) -> dict[str, str]:
        """pandas dtype of every canonical column (`source_row` is the Excel row number)."""
        return {**{f.name: f.dtype for f in self.stored_fields}, SOURCE_ROW: "int64"}

    @property
    def numeric_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields
                     if f.type in (FieldType.INT, FieldType.NUMBER))


SOURCE_ROW = "source_row"
NAME_LENGTH = 64   # district names, volunteer ids and names

_DISTRICT = Field("district", "区", ("区县", "县区", "所属区", "区（县）", "区(县)"),
                  FieldType.TEXT, required=True, hint="填写所属区县名称，如“东城区”",
                  max_length=NAME_LENGTH)
# the month every dated row belongs to, derived from its date
_MONTH_OF_DATE = Field("month", "月份", (), FieldType.MONTH, required=True)
_UNIT = Field("unit", "单位", ("团组织", "所属团组织", "基层团组织", "单位名称", "团组织名称",
                              "团支部", "所属团支部", "团支部名称", "所属组织", "组织名称", "服务中心"),
              FieldType.TEXT, required=True, hint="填写基层团组织全称")

ACTIVITIES = Kind(
    name="activities",
    label="活动台账",
    description="每行一项活动",
    fields=(
        Field("date", "日期", ("活动日期", "开展时间", "时间", "开展日期", "活动时间", "开始时间",
                             "活动开始时间"),
              FieldType.DATE, required=True,
              hint="如 2026-03-05、2026.3.5、2026年3月5日"),
        _DISTRICT,
        _UNIT,
        Field("title", "活动名称", ("活动主题", "项目名称"), FieldType.TEXT, required=True),
        Field("category", "活动类别", ("类别", "活动类型"), FieldType.CATEGORY, required=True,
              hint="从下拉列表选择；未知类别计入“其他”"),
        Field("sessions", "场次", ("活动场次",), FieldType.INT, default=1, min=0),
        Field("participants", "参与人次", ("参加人次", "参与人数", "参加人数", "参与情况", "活动受益人次统计",
                                        "受益人次统计"),
              FieldType.INT, required=True, min=0),
        Field("volunteers", "志愿者人数", ("志愿者",), FieldType.INT, min=0),
        Field("service_hours", "服务时长", ("志愿服务时长",), FieldType.NUMBER, min=0,
              hint="本次活动志愿服务总时长（小时）", unit="小时"),
        Field("reached", "覆盖人数", ("受益人数", "覆盖人次", "宣传群众", "受益人次", "活动受益人数",
                                  "受益人数统计", "本次活动受益人数统计"), FieldType.INT, min=0),
        Field("funds", "经费", ("筹款", "金额"), FieldType.NUMBER, min=0, hint="单位：元"),
        Field("project", "专项", ("项目品牌", "专项名称", "专项工作"), FieldType.TEXT,
              hint="可不填；如 防溺水、高考减压、圆梦助学，汇总时按专项单列",
              choices="special_projects"),
        Field("beneficiaries", "受助人数", ("帮扶人数", "资助人数", "受助学生数"),
              FieldType.INT, min=0, hint="助学帮困等活动的受助人数"),
        Field("date_span", "起止时间", ("活动起止时间", "起止日期", "活动时间段", "时间段"),
              FieldType.TEXT, max_length=60,
              hint="可不填；日期写成时间段（如 2026.7.5-7.7）时按首日计入，时间段原样保存在此"),
    ),
    signature=("title", "category", "participants"),
    spans=(("date", "date_span"),),
    upload_fields=("district",),
    unit_scoped=True,
    parts=_DATE_PARTS,
    derived=(_MONTH_OF_DATE,
             Field("dimension", "三力一度", (), FieldType.TEXT, max_length=16)),
)

STUDY = Kind(
    name="study",
    label="青年大学习",
    description="每行一个单位一期（或一月）的参学情况",
    fields=(
        Field("period", "期次", ("学习期次", "期数"), FieldType.TEXT,
              hint="如 2026年第2期、第十二季第九期，原样保留"),
        Field("month", "月份", ("日期", "统计月份"), FieldType.MONTH, required=True,
              hint="如 2026-03、2026年3月"),
        _DISTRICT,
        _UNIT,
        Field("members", "团员数", ("应学人数", "团员人数", "应学团员数", "团员总数"), FieldType.INT, required=True,
              min=0, min_exclusive=True),
        Field("learners", "参学人数", ("学习人数", "参学人次", "完成人数", "已学人数", "已学习人数"),
              FieldType.INT,
              required=True, min=0),
        Field("rate", "参学率", ("学习率", "参学比例"), FieldType.RATE, min=0,
              hint="可不填；填写时须与 参学人数÷团员数 一致"),
    ),
    signature=("members", "learners"),
    upload_fields=("district", "month"),
    unit_scoped=True,
    shares_scope_with=("study_records",),
    repeat_field="period",
)

VOLUNTEER = Kind(
    name="volunteer",
    label="志愿服务记录",
    description="每行一名志愿者的一次服务",
    fields=(
        Field("volunteer_id", "志愿者编号", ("编号", "志愿者ID", "志愿者id"), FieldType.TEXT,
              hint="有编号时按编号识别同一志愿者，否则按 姓名+单位", max_length=NAME_LENGTH),
        Field("name", "姓名", ("志愿者姓名",), FieldType.TEXT,
              hint="无志愿者编号时必填", max_length=NAME_LENGTH),
        _DISTRICT,
        _UNIT,
        Field("project", "服务项目", ("项目", "活动名称", "项目名称", "服务项目名称"), FieldType.TEXT),
        Field("date", "服务日期", ("日期", "开始时间", "服务开始时间", "服务时间"), FieldType.DATE,
              required=True),
        Field("hours", "服务时长", ("时长", "志愿服务时长", "服务时数", "记录时长"), FieldType.NUMBER,
              required=True, min=0, min_exclusive=True, max=24,
              hint="单次服务小时数，大于0且不超过24", unit="小时"),
    ),
    signature=("hours", "date"),
    upload_fields=("district",),
    parts=(*_DATE_PARTS, Part("hours", "end", "结束时间", ("服务结束时间", "结束日期"))),
    scope_field="month",
    unit_scoped=True,
    derived=(_MONTH_OF_DATE,
             Field("person_key", "志愿者标识", (), FieldType.TEXT, required=True)),
)

TARGETS = Kind(
    name="targets",
    label="年度目标",
    description="每行一个区一个指标一年的目标",
    fields=(
        Field("year", "年度", ("年份",), FieldType.YEAR, required=True),
        Field("district", "区", ("区县", "县区", "所属区"), FieldType.TEXT, required=True,
              hint="全区合计目标填“全部”", max_length=NAME_LENGTH),
        Field("indicator", "指标", ("指标名称",), FieldType.INDICATOR, required=True),
        Field("value", "目标值", ("目标",), FieldType.NUMBER, required=True, min=0,
              hint="比率可填 95% 或 0.95"),
    ),
    signature=("indicator", "value"),
    upload_fields=("district",),
    scope_field="year",
)

# --- 青年大学习 as the platform exports it: per-person records, and the member roster ---

_BRANCH = Field("branch", "团支部", ("支部", "所在团支部", "团支部名称", "所属团支部", "支部名称"),
                FieldType.TEXT, required=True, hint="填写团支部全称，与团员名单一致",
                max_length=NAME_LENGTH)
# the platform's files also write 所属区县, and name units 学校, 团委 …
_PLATFORM_UNIT_HEADERS = ("学校", "所在单位", "所属单位", "团委", "所属团委", "单位名称",
                          "学校名称", "团组织", "所属团组织", "基层团组织")
_PLATFORM_DISTRICT = Field("district", "区", ("区县", "县区", "所属区", "区（县）", "区(县)", "所属区县"),
                           FieldType.TEXT, required=True, hint="填写所属区县名称，如“东城区”",
                           max_length=NAME_LENGTH)
_PERSON_NAME = Field("name", "姓名", ("学员姓名", "团员姓名", "真实姓名"), FieldType.TEXT,
                     max_length=NAME_LENGTH, hint="无学号/编号时必填")
# the person behind a record or a roster row: the id when given, else 姓名 + 团支部
_PERSON_KEY = Field("person_key", "人员标识", (), FieldType.TEXT, required=True)
# where learners are counted and members looked up: every record falls in one such group
STUDY_GROUP = ("district", "unit", "branch", "period", "month")

STUDY_RECORDS = Kind(
    name="study_records",
    label="学习记录",
    description="青年大学习平台导出的学习记录：每行一人一期",
    fields=(
        Field("period", "期次", ("课程", "课程名称", "学习期次", "期数", "学习课程", "课程期次"),
              FieldType.TEXT, required=True, max_length=NAME_LENGTH,
              hint="如 2026年第2期、第十二季第九期，原样保留"),
        Field("studied_at", "学习时间", ("观看时间", "学习日期", "完成时间", "参学时间", "提交时间"),
              FieldType.DATE, hint="如 2026-03-05 20:31:12；上传时未指定月份则按它计月"),
        Field("month", "月份", ("统计月份",), FieldType.MONTH,
              hint="可不填：上传时指定，或按学习时间计月"),
        _PLATFORM_DISTRICT,
        Field("unit", "单位", _PLATFORM_UNIT_HEADERS,
              FieldType.TEXT, required=True, hint="填写基层团组织或学校全称"),
        _BRANCH,
        _PERSON_NAME,
        Field("member_id", "学号", ("编号", "卡号", "手机号", "手机号码", "团员编号", "学号/编号",
                                    "用户编号", "工号"),
              FieldType.TEXT, max_length=NAME_LENGTH,
              hint="有学号/编号时按它识别同一人，否则按 姓名+团支部"),
    ),
    signature=("period", "branch", "name"),
    upload_fields=("district", "month"),
    derived=(_PERSON_KEY,),
    totals=(Total("learners", "distinct", (*STUDY_GROUP, "person_key")),),
    shares_scope_with=("study",),
    unit_scoped=True,
)

ROSTER = Kind(
    name="roster",
    label="团员名单",
    description="每行一名团员；一个区（或单位）一份，自所属月份起生效",
    fields=(
        _PLATFORM_DISTRICT,
        Field("unit", "单位", _PLATFORM_UNIT_HEADERS, FieldType.TEXT,
              hint="可不填：按学习记录中该团支部所属单位计"),
        _BRANCH,
        _PERSON_NAME,
        Field("member_id", "学号", ("编号", "团员编号", "学号/编号", "卡号", "手机号", "手机号码",
                                    "工号"), FieldType.TEXT, max_length=NAME_LENGTH,
              hint="与学习记录中的学号/编号一致时按它核对，否则按 姓名+团支部"),
        Field("joined", "入团年月", ("入团时间", "入团日期"), FieldType.MONTH),
        Field("status", "状态", ("团籍状态", "人员状态"), FieldType.TEXT, max_length=16,
              hint="可不填；填“离团”“转出”“退团”等的不计入应学人数"),
        Field("month", "名单月份", ("月份", "统计月份"), FieldType.MONTH, required=True,
              hint="名单自该月起生效，可在上传时指定"),
    ),
    signature=("branch", "name"),
    upload_fields=("district", "month"),
    derived=(_PERSON_KEY,),
    totals=(Total("members", "rows"),),
    carried_forward=True,
)

_ORG_UNIT = Field("unit", "单位", ("团组织", "所属团组织", "基层团组织", "团组织名称"),
                  FieldType.TEXT, hint="可不填；区级工作填团区委")

HONOURS = Kind(
    name="honours",
    label="评优表彰",
    description="每行一项荣誉（一个集体或一批个人）",
    fields=(
        Field("year", "年度", ("年份", "评选年度"), FieldType.YEAR, required=True),
        _DISTRICT,
        Field("honour", "荣誉名称", ("荣誉称号", "表彰名称", "奖项名称", "荣誉"), FieldType.TEXT,
              required=True, hint="如 五四红旗团委、优秀共青团员",
              choices="honour_names"),
        Field("level", "级别", ("荣誉级别", "表彰级别"), FieldType.TEXT, required=True,
              choices="honour_levels", strict=True, hint="国家、省、市或区", max_length=8),
        Field("recipient_type", "类型", ("集体/个人", "获奖类型", "对象类型"), FieldType.TEXT,
              required=True, choices="recipient_types", strict=True, hint="集体或个人",
              max_length=8),
        Field("recipient", "获评对象", ("获奖对象", "获奖集体", "获奖个人", "获评集体或个人",
                                       "姓名或集体名称"), FieldType.TEXT,
              hint="集体或个人名称；一批个人可写“54名”并填数量"),
        Field("count", "数量", ("人数", "个数", "获评数量"), FieldType.INT, default=1, min=0,
              min_exclusive=True, hint="一行多名（个）时填写，空白按 1 计"),
        Field("grantor", "授予单位", ("表彰单位", "颁发单位"), FieldType.TEXT),
    ),
    signature=("honour", "level"),
    upload_fields=("district",),
    scope_field="year",
)

ORGANISATION = Kind(
    name="organisation",
    label="组织建设",
    description="每行一个单位一月的一项组织建设数量",
    fields=(
        Field("month", "月份", ("统计月份", "日期"), FieldType.MONTH, required=True,
              hint="如 2026-03、2026年3月"),
        _DISTRICT,
        _ORG_UNIT,
        Field("item", "项目", ("组织建设项目", "工作项目", "事项"), FieldType.TEXT, required=True,
              choices="organisation_items", hint="从下拉列表选择，如 换届、推优入党、青年突击队"),
        Field("count", "数量", ("个数", "人数", "完成数"), FieldType.NUMBER, required=True, min=0),
        Field("measure", "计量单位", ("量词", "数量单位"), FieldType.TEXT, max_length=8,
              hint="个、名、支、项、%；可不填，按项目表默认"),
    ),
    signature=("item", "count"),
    upload_fields=("district", "month"),
)

MEDIA = Kind(
    name="media",
    label="新媒体",
    description="每行一篇（一期）新媒体作品",
    fields=(
        Field("date", "日期", ("发布日期", "发布时间", "时间"), FieldType.DATE, required=True,
              hint="如 2026-03-05"),
        _DISTRICT,
        Field("platform", "平台", ("发布平台", "媒体平台"), FieldType.TEXT, required=True,
              hint="如 微信公众号、视频号、抖音"),
        Field("column", "栏目/专题", ("栏目", "专题", "专栏"), FieldType.TEXT,
              hint="如 青年大学习、青春热议二十大"),
        Field("title", "标题", ("文章标题", "作品标题", "题目"), FieldType.TEXT, required=True),
        Field("reads", "阅读量", ("阅读数", "浏览量", "播放量"), FieldType.INT, min=0),
        Field("shares", "转发", ("转发量", "转发数", "分享数"), FieldType.INT, min=0),
        Field("participants", "参与人数", ("参与人次", "投稿人数"), FieldType.INT, min=0),
    ),
    signature=("platform", "title"),
    upload_fields=("district",),
    derived=(_MONTH_OF_DATE,),
)

KINDS: dict[str, Kind] = {k.name: k for k in (ACTIVITIES, STUDY, VOLUNTEER, TARGETS,
                                              STUDY_RECORDS, ROSTER,
                                              HONOURS, ORGANISATION, MEDIA)}
# roster statuses that are not members any more: data, like the other lists
NOT_MEMBER_STATUSES = ("离团", "退团", "转出", "已转出", "超龄离团", "已离团", "除名", "开除团籍")

ALL_DISTRICTS = "全部"          # the whole area in a targets sheet's 区 column
WHOLE_AREA = "全部区县"         # the whole area as pages and prose name it
NO_DISTRICTS = "未分配区县"     # a 填报员 account without districts
UNITS_ONLY = "仅限所列单位"     # the 区县 of a 填报员 account scoped to some units only

# names kept in one database column (a user's or a batch's districts, a batch's periods)
LIST_SEPARATOR = "|"


def join_names(names) -> str:
    """Names as one column value: sorted, distinct, "|"-joined ("" for none)."""
    return LIST_SEPARATOR.join(sorted({n for n in names if n}))


def split_names(text: str | None) -> list[str]:
    """The names of a `join_names` value."""
    return [n for n in (text or "").split(LIST_SEPARATOR) if n]


@dataclass(frozen=True)
class Indicator:
    """An indicator readers see: name used in code/JSON, Chinese label, unit."""

    name: str
    label: str
    unit: str
    is_rate: bool = False
    synonyms: tuple[str, ...] = field(default=())


INDICATORS: tuple[Indicator, ...] = (
    Indicator("study_rate", "参学率", "%", is_rate=True, synonyms=("参学比例", "学习率")),
    Indicator("study_learners", "参学人次", "人次", synonyms=("青年大学习参学人次", "参学人数")),
    Indicator("study_members", "应学团员数", "人", synonyms=("团员数",)),
    Indicator("activity_sessions", "活动场次", "场", synonyms=("场次",)),
    Indicator("activity_participants", "参与人次", "人次", synonyms=("活动参与人次",)),
    Indicator("volunteer_count", "志愿者人数", "人", synonyms=("志愿者数",)),
    Indicator("volunteer_hours", "志愿服务时长", "小时", synonyms=("服务时长",)),
)
INDICATOR_BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}


@dataclass(frozen=True)
class Category:
    name: str
    dimension: str | None
    aliases: tuple[str, ...]


OTHER_CATEGORY = "其他"
DIMENSIONS = ("引领力", "组织力", "服务力", "大局贡献度")


def _data_rows(path: Path | None, default: str) -> list[dict[str, str]]:
    """Rows of an editable data table, cells stripped (Excel may save a BOM)."""
    with open(path or DATA_DIR / default, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


@cache
def categories(path: Path | None = None) -> tuple[Category, ...]:
    """The category table a district can edit (analytics/data/categories.csv)."""
    return tuple(
        Category(r["category"], r["dimension"] or None,
                 tuple(a.strip() for a in r["aliases"].split("|") if a.strip()))
        for r in _data_rows(path, "categories.csv")
    )


@dataclass(frozen=True)
class StarLevel:
    level: int
    label: str
    min_hours: float


@cache
def star_levels(path: Path | None = None) -> tuple[StarLevel, ...]:
    """Star thresholds by cumulative service hours (analytics/data/star_levels.csv)."""
    rows = [StarLevel(int(r["level"]), r["label"], float(r["min_hours"]))
            for r in _data_rows(path, "star_levels.csv")]
    return tuple(sorted(rows, key=lambda s: s.min_hours))


@dataclass(frozen=True)
class StudyBand:
    band: str
    min_rate: float
    color: str


@cache
def study_bands(path: Path | None = None) -> tuple[StudyBand, ...]:
    """参学率 bands for colouring units, highest first (analytics/data/study_bands.csv)."""
    rows = [StudyBand(r["band"], float(r["min_rate"]), r["color"])
            for r in _data_rows(path, "study_bands.csv")]
    return tuple(sorted(rows, key=lambda b: -b.min_rate))


@dataclass(frozen=True)
class ListedUnit:
    """A 基层团组织 a district expects reports from; `expected=False` takes it off the list."""

    district: str
    unit: str
    expected: bool = True


NOT_EXPECTED = frozenset({"否", "0", "no", "false", "停用", "n"})


@cache
def listed_units(path: Path | None = None) -> tuple[ListedUnit, ...]:
    """The editable unit list per district (analytics/data/units.csv: district, unit, expected)."""
    return tuple(ListedUnit(r["district"], r["unit"],
                            (r.get("expected") or "是").lower() not in NOT_EXPECTED)
                 for r in _data_rows(path, "units.csv") if r.get("district") and r.get("unit"))


@dataclass(frozen=True)
class Choice:
    """One known value of an editable list: its name, aliases, and the list's extra columns."""

    name: str
    aliases: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, column: str, default: str = "") -> str:
        return dict(self.extra).get(column, default)


@cache
def choice_list(name: str, path: Path | None = None) -> tuple[Choice, ...]:
    """An editable list of known values (analytics/data/<name>.csv: name, aliases, ...)."""
    rows = _data_rows(path, f"{name}.csv")
    return tuple(
        Choice(r["name"], tuple(a.strip() for a in r.get("aliases", "").split("|") if a.strip()),
               tuple((k, v) for k, v in r.items() if k not in ("name", "aliases")))
        for r in rows)


def match_choice(name: str, value: str | None) -> Choice | None:
    """The known value `value` names (by name or alias, ignoring spaces and quotes), or None."""
    if value is None:
        return None
    key = _choice_key(value)
    for choice in choice_list(name):
        if key == _choice_key(choice.name) or key in {_choice_key(a) for a in choice.aliases}:
            return choice
    return None


def _choice_key(text: str) -> str:
    return "".join(ch for ch in str(text) if ch not in " \t“”\"'《》*").lower()


# --- targets of the 工作总结 kinds -------------------------------------------------------

HONOURS_TARGET = "honours"
ORGANISATION_TARGET_PREFIX = "organisation:"


def organisation_target(item: str) -> str:
    """The target indicator of one 组织建设 item: "organisation:推优入党"."""
    return f"{ORGANISATION_TARGET_PREFIX}{item}"


def _summary_target_indicators() -> tuple[Indicator, ...]:
    """What a 年度目标 row may also name besides the indicators: 获评荣誉 (every honour,
    集体 and 个人) and each 组织建设 item marked 是 in organisation_items.csv's target column."""
    out = [Indicator(HONOURS_TARGET, "获评荣誉", "项", synonyms=("评优表彰", "荣誉称号", "获评荣誉数"))]
    for item in choice_list("organisation_items"):
        if item.get("target") == "是" and item.get("measure") != "%":
            out.append(Indicator(organisation_target(item.name), item.name,
                                 item.get("measure") or "个",
                                 synonyms=tuple(n for n in (*item.aliases, item.get("what")) if n)))
    return tuple(out)


SUMMARY_TARGET_INDICATORS: tuple[Indicator, ...] = _summary_target_indicators()
# every indicator a 年度目标 row can name, in the order sheets and the editor list them
TARGET_INDICATORS: tuple[Indicator, ...] = INDICATORS + SUMMARY_TARGET_INDICATORS
INDICATOR_BY_NAME.update({i.name: i for i in SUMMARY_TARGET_INDICATORS})
