from archive.textnorm import normalize, remove_ruby, simplify_char, to_simplified


def test_ruby_removed_after_characters():
    assert remove_ruby("關(guān)於") == "關於"
    assert remove_ruby("政務(wù)公開") == "政務公開"
    assert remove_ruby("皖I(lǐng)CP備") == "皖ICP備"
    assert remove_ruby("關（guān）於") == "關於"


def test_ruby_keeps_real_parentheses():
    for s in [
        "(一)做好決策公開",
        "本站已支持(IPv6)",
        "電話(0558-2567279)",
        "（十四）",
        "(a)",
        "(IE9)",
    ]:
        assert remove_ruby(s) == s
    assert remove_ruby("(阜政辦秘〔2018〕158號(hào))") == "(阜政辦秘〔2018〕158號)"


def test_to_simplified():
    assert to_simplified("關於交通運輸") == "关于交通运输"
    assert to_simplified("") == ""


def test_simplify_char_agrees_with_to_simplified():
    for ch in "關於運輸網站標識碼號路交通A1，":
        assert simplify_char(ch) == to_simplified(ch)
    assert simplify_char("關") == "关"
    assert simplify_char("x") == "x"


def test_normalize_full_pipeline():
    raw = "關(guān)於  交通\t運輸\n\n\n\n　路網　\nＩＣＰ備案２０１９年，本站（IPv6）"
    out = normalize(raw)
    assert out == "关于 交通 运输\n\n路网\nICP备案2019年，本站（IPv6）"
    assert "关于" in out and "交通" in out and "路" in out


def test_normalize_keeps_cjk_punctuation_and_lines():
    assert normalize("一、总体情况：\r\n（一）主动公开。") == "一、总体情况：\n（一）主动公开。"
    assert normalize("") == ""


def test_simplify_chars_is_per_character():
    from archive.textnorm import simplify_chars

    assert simplify_chars("發布時間：當前位置") == "发布时间：当前位置"
    assert simplify_chars("abc 123") == "abc 123"
