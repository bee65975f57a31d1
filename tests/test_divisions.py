"""The national division table: loading, short forms, codes and ancestry."""

from __future__ import annotations

import pytest

from kg.divisions import choose_code, division_table, find_division_names, short_forms


def test_the_table_holds_every_level_with_codes_and_parents():
    table = division_table()
    levels = {d.level for d in table.by_code.values()}
    assert levels == {"Province", "City", "County", "Township"}
    assert table.source["date"] == "2025-12-31"
    # every division but a province has its parent in the table
    orphans = [d for d in table.by_code.values() if d.level != "Province" and d.parent not in table.by_code]
    assert not orphans


@pytest.mark.parametrize(
    "short,official",
    [
        ("河南", "河南省"),
        ("新疆", "新疆维吾尔自治区"),
        ("广西", "广西壮族自治区"),
        ("鄂尔多斯", "鄂尔多斯市"),
        ("黔东南州", "黔东南苗族侗族自治州"),
        ("黔东南", "黔东南苗族侗族自治州"),
        ("阿克苏", "阿克苏地区"),
        ("土左旗", "土默特左旗"),
        ("科右中旗", "科尔沁右翼中旗"),
        ("长丰", "长丰县"),
    ],
)
def test_common_short_forms_resolve(short, official):
    assert division_table().aliases[short] == official


def test_a_short_form_of_two_divisions_of_one_level_names_neither():
    # "自治区" alone would name any of five regions
    assert "自治区" not in division_table().aliases


def test_a_short_form_names_the_higher_of_two_levels():
    # 河南 is the province, not 河南蒙古族自治县
    assert division_table().aliases["河南"] == "河南省"


def test_districts_have_no_short_form():
    assert short_forms("朝阳区", "County") == []


def test_same_named_places_get_the_reading_under_their_parent():
    table = division_table()
    assert len(table.by_name["城关镇"]) > 50
    code = choose_code("城关镇", "永登县", set())
    assert [a.name for a in table.ancestors(code)] == ["永登县", "兰州市", "甘肃省"]


def test_a_bare_township_name_needs_its_county_in_the_document():
    assert choose_code("城关镇", "", set()) == ""
    assert choose_code("城关镇", "", {"永登县"}) == "620121100"


def test_containment_by_short_form():
    table = division_table()
    assert table.contains("鄂尔多斯", "图克镇")
    assert not table.contains("乌兰", "什巴台村")


def test_names_are_found_in_text_with_their_official_form():
    found = {(s, e, n) for s, e, n in find_division_names("宁夏吴忠市红寺堡区") if e - s >= 3}
    assert (2, 5, "吴忠市") in found and (5, 9, "红寺堡区") in found
