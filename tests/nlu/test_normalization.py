import pytest

import nlu


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("這裡著火了！！！快來人", "这里着火了!快来人"),
        ("１３８１２３４５６７８，我在南京", "13812345678,我在南京"),
        ("  着 火 了  ", "着火了"),
        ("物业不管？？？😡😡", "物业不管?"),
        ("社保卡丟了怎麼補辦", "社保卡丢了怎么补办"),
        ("hello   world", "hello world"),
        ("家里🔥了", "家里火了"),
        ("电梯坏了。。。。。", "电梯坏了。"),
        ("公积金\u200b提取", "公积金提取"),
        ("醫院門口堵車", "医院门口堵车"),
        ("ＡＢＣ１２３", "ABC123"),
        ("请尽快处理～～～", "请尽快处理~"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert nlu.normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("這裡著火了！！！快來人", "快来人"),
        ("😡😡物业  不管，电话１３８１２３４５６７８", "13812345678"),
        ("  着 火 了  ", "着火"),
        ("我在🚑上", "上"),
        ("住在鼓樓區寧海路", "鼓楼区"),
    ],
)
def test_offsets_map_back_to_original(raw: str, needle: str) -> None:
    norm = nlu.normalize(raw)
    start = norm.text.index(needle)
    o_start, o_end = norm.to_original(start, start + len(needle))
    back = nlu.normalize(raw[o_start:o_end]).text
    assert back == needle


def test_original_is_kept() -> None:
    raw = "這裡著火了！！！"
    assert nlu.normalize(raw).original == raw


def test_emoji_word_maps_to_emoji() -> None:
    raw = "厨房🔥了"
    norm = nlu.normalize(raw)
    i = norm.text.index("火")
    assert norm.to_original(i, i + 1) == (2, 3)


def test_fast_path_matches_character_pass() -> None:
    """The 1:1 fast path must give exactly what the full character pass gives."""
    from nlu.evaluation import load_heldout, load_tune
    from nlu.normalization import _char_pass, _fast_pass, _to_simplified

    texts = [e.text for e in load_tune() + load_heldout()]
    texts += ["ＡＢＣ１２３", "a^b`c", "電話１３８", "“引号”《书名》【括号】…", "〒123", "100%的人"]
    checked = 0
    for text in texts:
        fast = _fast_pass(text)
        if fast is None:
            continue
        chars, starts, ends = _char_pass(text)
        assert _to_simplified(fast) == _to_simplified(chars), text
        assert starts == list(range(len(text))) and ends == list(range(1, len(text) + 1)), text
        checked += 1
    assert checked > 500
