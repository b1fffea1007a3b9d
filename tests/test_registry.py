"""Registry loading: real errors name the file, the row and the field; the real-world registry is sound."""

from __future__ import annotations

import dataclasses

import pytest

from crawler.registry import RegistryError, load_registry

GOOD_ROW = """\
- id: good-jtj
  name: 某某市交通运输局
  level: city
  province: 某某省
  region_code: "999900"
  homepage: http://127.0.0.1:8799/
  family: trs
  columns: [http://127.0.0.1:8799/zwgk/nb/]
  verified: false
  allow_loopback: true
"""


def write(tmp_path, text: str):
    path = tmp_path / "reg.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_row_loads_frozen(tmp_path):
    (b,) = load_registry(write(tmp_path, GOOD_ROW))
    assert b.id == "good-jtj" and b.columns == ("http://127.0.0.1:8799/zwgk/nb/",)
    assert b.override("obey_robots", True) is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.name = "x"


def test_every_problem_is_reported_with_file_row_and_field(tmp_path):
    broken = (
        GOOD_ROW
        + """\
- id: bad-jtj
  name: 坏市交通运输局
  level: town
  province: 某某省
  region_code: "99990"
  homepage: ftp://127.0.0.1/
  family: wordpress
  columns: [not-a-url]
  verified: "no"
  overrides: {obey_robots: "false", per_page: true, colour: red}
- id: good-jtj
  name: 重复
  level: city
  province: 某某省
  region_code: 999900
  homepage: http://127.0.0.1:8799/
  family: hanweb
- name: 无名
  level: county
"""
    )
    path = write(tmp_path, broken)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    message = str(err.value)
    assert str(path) in message
    expected = [
        "row 1 (id='bad-jtj'), field 'level'",
        "row 1 (id='bad-jtj'), field 'region_code'",
        "row 1 (id='bad-jtj'), field 'homepage'",
        "row 1 (id='bad-jtj'), field 'family'",
        "row 1 (id='bad-jtj'), field 'columns'",
        "row 1 (id='bad-jtj'), field 'verified'",
        "row 1 (id='bad-jtj'), field 'overrides': obey_robots",
        "row 1 (id='bad-jtj'), field 'overrides': per_page",
        "row 1 (id='bad-jtj'), field 'overrides': unknown key 'colour'",
        "row 2 (id='good-jtj'), field 'id': duplicate of row 0",
        "row 3 (id=None), field 'id': missing",
        "row 3 (id=None), field 'homepage': missing",
    ]
    for fragment in expected:
        assert fragment in message, fragment
    assert not any(p.startswith("row 0") for p in err.value.problems)


def test_unknown_row_field_and_bad_yaml(tmp_path):
    with pytest.raises(
        RegistryError, match=r"row 0 \(id='good-jtj'\), field 'colums': unknown field"
    ):
        load_registry(write(tmp_path, GOOD_ROW + "  colums: []\n"))
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(write(tmp_path, "- id: [unclosed\n"))
    with pytest.raises(RegistryError, match="file not found"):
        load_registry(tmp_path / "missing.yml")


def test_bureaus_yml_has_the_31_provincial_departments():
    bureaus = load_registry("bureaus")
    assert len(bureaus) == 31
    assert all(b.level == "province" for b in bureaus)
    codes = [b.region_code for b in bureaus]
    assert len(set(codes)) == 31
    assert all(code.endswith("0000") for code in codes)
    assert len({b.province for b in bureaus}) == 31
    assert not any(b.verified for b in bureaus)
    assert {"110000", "120000", "310000", "500000", "650000"} <= set(codes)
    names = {b.name for b in bureaus}
    assert {"北京市交通委员会", "天津市交通运输委员会", "上海市交通委员会", "重庆市交通运输委员会",
            "新疆维吾尔自治区交通运输厅"} <= names  # fmt: skip
    assert all(b.family in ("trs", "hanweb") for b in bureaus)
