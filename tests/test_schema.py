"""The sheet kinds and the editable data tables are data: check their invariants."""
from __future__ import annotations

import pytest

from analytics import schema
from analytics.ingest.values import normalize_header


@pytest.mark.parametrize("kind", list(schema.KINDS.values()), ids=list(schema.KINDS))
def test_no_header_names_two_fields_of_one_kind(kind):
    seen: dict[str, str] = {}
    for f in kind.fields:
        for header in f.headers:
            key = normalize_header(header)
            assert seen.setdefault(key, f.name) == f.name, (header, seen[key], f.name)


@pytest.mark.parametrize("kind", list(schema.KINDS.values()), ids=list(schema.KINDS))
def test_signature_and_upload_fields_are_fields(kind):
    names = {f.name for f in kind.fields}
    assert set(kind.signature) <= names
    assert set(kind.upload_fields) <= names


def test_every_category_dimension_is_a_three_forces_dimension():
    dims = {c.dimension for c in schema.categories()}
    assert dims - {None} <= set(schema.DIMENSIONS)
    assert schema.OTHER_CATEGORY in {c.name for c in schema.categories()}


def test_a_district_can_extend_the_category_table(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("category,dimension,aliases\n红色研学,引领力,研学|红色教育\n其他,,\n",
                    encoding="utf-8-sig")
    table = schema.categories(path)
    assert table[0] == schema.Category("红色研学", "引领力", ("研学", "红色教育"))
    assert table[1] == schema.Category("其他", None, ())


def test_star_levels_sorted_by_hours_and_bands_highest_first(tmp_path):
    path = tmp_path / "stars.csv"
    path.write_text("level,label,min_hours\n2,二星,300\n1,一星,100\n", encoding="utf-8")
    assert [s.level for s in schema.star_levels(path)] == [1, 2]
    assert [b.band for b in schema.study_bands()] == ["优秀", "达标", "关注", "预警"]
    assert [s.min_hours for s in schema.star_levels()] == [100, 300, 600, 1000, 1500]
