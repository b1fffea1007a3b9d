"""Text repair: PDF-induced spaces go, numbers and Latin words stay readable, originals are untouched."""

import pytest

from archive.textnorm import normalize, repair, repair_spacing, search_text


@pytest.mark.parametrize(
    "raw, repaired",
    [
        ("关 心指导", "关心指导"),
        ("1 月 31 日", "1月31日"),
        ("统计期限为 2023 年 1 月 1 日至 12 月 31 日", "统计期限为2023年1月1日至12月31日"),
        ("（ 一 ） 主动公开 ， 共 12 件 。", "（一）主动公开，共12件。"),
        ("ICP 备案", "ICP 备案"),
        ("IPv6 地址", "IPv6 地址"),
        ("5G 网络建设", "5G 网络建设"),
        ("12 34", "12 34"),
        ("合计 | 12 | 3", "合计 | 12 | 3"),
        ("本站 (IPv6)", "本站 (IPv6)"),
        ("ＩＣＰ备案 ２０１９ 年", "ICP备案2019年"),
        ("的原则, 我局成立了", "的原则,我局成立了"),
        ("要求: 全年", "要求:全年"),
        ("Hello, world", "Hello, world"),
        ("共 12, 其中", "共12, 其中"),
    ],
)
def test_repair_spacing(raw, repaired):
    assert repair(raw) == repaired


def test_repair_keeps_paragraphs_and_characters():
    raw = "關(guān)於  交 通\t運輸\r\n\n\n\n　路 網　\n二、 主动 公开"
    assert repair(raw) == "關於交通運輸\n\n路網\n二、主动公开"


def test_search_text_is_repaired_then_normalized():
    assert search_text("關 於 交通") == "关于交通"
    # normalize keeps its contract: it only tidies spaces, never removes them
    assert normalize("关于  交通") == "关于 交通"
    assert repair_spacing("") == ""
    assert search_text("") == ""
