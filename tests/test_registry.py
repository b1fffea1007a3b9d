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


# -- addresses nianbao must never fetch ------------------------------------------------------------

# (field, value, what the problem says); every row below carries exactly one of them
REFUSED = [
    ("homepage", "http://10.0.0.1/", "address 10.0.0.1 (private)"),
    ("homepage", "http://172.16.5.4/", "address 172.16.5.4 (private)"),
    ("homepage", "http://192.168.1.1/", "address 192.168.1.1 (private)"),
    ("homepage", "http://127.0.0.1:8711/", "address 127.0.0.1 (loopback)"),
    ("homepage", "http://[::1]/", "address ::1 (loopback)"),
    ("homepage", "http://169.254.10.1/", "address 169.254.10.1 (link-local)"),
    ("homepage", "http://[fe80::1]/", "address fe80::1 (link-local)"),
    ("homepage", "http://100.64.0.1/", "address 100.64.0.1 (shared (CGNAT))"),
    ("homepage", "http://224.0.0.251/", "address 224.0.0.251 (multicast)"),
    ("homepage", "http://240.0.0.1/", "address 240.0.0.1 (reserved)"),
    ("homepage", "http://0.0.0.0/", "address 0.0.0.0 (unspecified)"),
    ("homepage", "http://[::]/", "address :: (unspecified)"),
    ("homepage", "http://169.254.169.254/", "address 169.254.169.254 (cloud metadata)"),
    ("homepage", "http://[fd00:ec2::254]/", "address fd00:ec2::254 (cloud metadata)"),
    ("homepage", "http://100.100.100.200/", "address 100.100.100.200 (cloud metadata)"),
    (
        "homepage",
        "http://metadata.google.internal/",
        "cloud metadata host metadata.google.internal",
    ),
    (
        "homepage",
        "http://[::ffff:192.168.1.1]/",
        "address ::ffff:c0a8:101 (private, IPv4-mapped 192.168.1.1)",
    ),
    (
        "homepage",
        "http://[::ffff:c0a8:101]/",
        "address ::ffff:c0a8:101 (private, IPv4-mapped 192.168.1.1)",
    ),
    ("homepage", "http://[2002:a00:1::1]/", "address 2002:a00:1::1 (private, 6to4 10.0.0.1)"),
    ("homepage", "http://[64:ff9b::a9fe:a9fe]/", "(cloud metadata, NAT64 169.254.169.254)"),
    (
        "homepage",
        "http://2130706433/",
        "address 127.0.0.1 (loopback) written as '2130706433': only dotted decimal is accepted",
    ),
    ("homepage", "http://0x7f000001/", "address 127.0.0.1 (loopback) written as '0x7f000001'"),
    ("homepage", "http://0177.0.0.1/", "address 127.0.0.1 (loopback) written as '0177.0.0.1'"),
    ("homepage", "http://10.1/", "address 10.0.0.1 (private) written as '10.1'"),
    ("homepage", "http://user@jtt.example.gov.cn/", "user-info (user@ or user:password@)"),
    ("homepage", "http://a:b@jtt.example.gov.cn/", "user-info (user@ or user:password@)"),
    ("homepage", "http://jtt.example.gov.cn:0/", "port '0' is not a number from 1 to 65535"),
    ("homepage", "http://jtt.example.gov.cn:65536/", "port '65536' is not a number from 1"),
    ("homepage", "http://jtt.example.gov.cn:80a/", "port '80a' is not a number from 1"),
    ("homepage", "ftp://jtt.example.gov.cn/", "scheme ftp: is not http or https"),
    ("homepage", "javascript:alert(1)", "scheme javascript: is not http or https"),
    ("homepage", "http://[::1", "malformed URL (Invalid IPv6 URL)"),
    ("homepage", "http:///zwgk/", "no host"),
    ("homepage", "http://jtt example.gov.cn/", "contains whitespace or control characters"),
    ("homepage", "http://%31%32%37.0.0.1/", "is percent-encoded or has an IPv6 zone"),
    ("columns", "http://10.0.0.1/zwgk/ndbg/", "item 0: 'http://10.0.0.1/zwgk/ndbg/': address"),
    ("columns", "http://[::1/zwgk/", "item 0: 'http://[::1/zwgk/': malformed URL"),
    ("overrides", "http://0x0a000001/api", "jpaas_api_url: 'http://0x0a000001/api': address"),
]


def _row(index: int, fieldname: str, value: str) -> dict:
    row = {
        "id": f"bad-{index}",
        "name": "某某局",
        "level": "city",
        "province": "某某省",
        "region_code": "999900",
        "homepage": "https://jtt.example.gov.cn/",
        "family": "trs",
    }
    if fieldname == "columns":
        row["columns"] = [value]
    elif fieldname == "overrides":
        row["overrides"] = {"jpaas_api_url": value}
    else:
        row[fieldname] = value
    return row


def test_every_refused_address_form_is_one_problem_naming_file_row_and_field(tmp_path):
    import yaml

    rows = [_row(i, f, v) for i, (f, v, _) in enumerate(REFUSED)]
    path = write(tmp_path, yaml.safe_dump(rows, allow_unicode=True))
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert err.value.path == str(path) and str(path) in str(err.value)
    problems = err.value.problems
    assert len(problems) == len(REFUSED)  # one per row: a malformed URL hides nothing else
    for i, (fieldname, _, says) in enumerate(REFUSED):
        (problem,) = [p for p in problems if p.startswith(f"row {i} (id='bad-{i}'), ")]
        assert problem.startswith(f"row {i} (id='bad-{i}'), field {fieldname!r}: "), problem
        assert says in problem, (says, problem)


def test_allow_loopback_opens_loopback_only(tmp_path):
    import yaml

    allowed = [
        {**_row(0, "homepage", "http://127.0.0.1:8711/"), "allow_loopback": True},
        {**_row(1, "homepage", "http://127.9.9.9:8711/"), "allow_loopback": True},
        {**_row(2, "homepage", "http://[::1]:8711/"), "allow_loopback": True},
        {**_row(3, "homepage", "http://localhost:8711/"), "allow_loopback": True},
    ]
    bureaus = load_registry(write(tmp_path, yaml.safe_dump(allowed)))
    assert [b.allow_loopback for b in bureaus] == [True] * 4
    still_refused = [
        ("http://10.0.0.1/", "address 10.0.0.1 (private)"),
        ("http://169.254.169.254/", "(cloud metadata)"),
        ("http://[::ffff:127.0.0.1]/", "(loopback, IPv4-mapped 127.0.0.1)"),
        ("http://2130706433/", "(loopback) written as '2130706433'"),
        ("http://127.1/", "(loopback) written as '127.1'"),
    ]
    rows = [
        {**_row(i, "homepage", url), "allow_loopback": True}
        for i, (url, _) in enumerate(still_refused)
    ]
    rows.append({**_row(9, "homepage", "http://127.0.0.1/"), "allow_loopback": "yes"})
    with pytest.raises(RegistryError) as err:
        load_registry(write(tmp_path, yaml.safe_dump(rows)))
    for i, (_, says) in enumerate(still_refused):
        assert any(p.startswith(f"row {i} ") and says in p for p in err.value.problems), says
    assert "row 5 (id='bad-9'), field 'allow_loopback': expected true or false, got 'yes'" in (
        err.value.problems
    )
    # the string "yes" allows nothing: the loopback homepage of that row is refused as well
    assert any(p.startswith("row 5 (id='bad-9'), field 'homepage'") for p in err.value.problems)


def test_named_registries_load_and_only_test_portals_allow_loopback():
    for name in ("sample", "faults"):
        bureaus = load_registry(name)
        assert bureaus and all(b.allow_loopback for b in bureaus)
    assert not any(b.allow_loopback for b in load_registry("bureaus"))


ROWS_TEXT = """# national registry, generated
# two rows
- id: a-1
  name: 甲县交通运输局
  verified: true
  region_code: '100001'
  columns:
  - http://127.0.0.1:1/a/
  notes: |
    - a line of a block scalar that starts like a row
    # and one like a comment
- id: a-2
  name: 乙县交通运输局
  overrides: {obey_robots: false}
-
  id: a-3
"""


@pytest.mark.parametrize(
    "text",
    [
        ROWS_TEXT,
        "bureaus:\n- id: a-1\n- id: a-2\n",  # a mapping with a bureaus list: parsed whole
        "- &row\n  id: a-1\n- *row\n",  # an alias to an earlier row: parsed whole
        "--- \n- id: a-1\n",  # a document start before the rows
        "",
    ],
    ids=["rows", "mapping", "alias", "document-start", "empty"],
)
def test_rows_parsed_one_at_a_time_give_the_documents_data(text):
    """A registry of 3,300 rows is parsed a row at a time (each worker kept ≈ 53 MB of node trees)."""
    import yaml

    from crawler.registry import _parse

    assert _parse(text) == yaml.safe_load(text)


def test_a_syntax_error_keeps_the_documents_line_number(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(
        "- id: a-1\n  name: 甲\n- id: a-2\n  name: [unclosed\n- id: a-3\n", encoding="utf-8"
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    # the document's lines (4: the open bracket, 5: where it ran out), not those of the row parsed alone
    assert "line 4, column 9" in str(caught.value), str(caught.value)
    assert "line 5" in str(caught.value), str(caught.value)
