from pathlib import Path

import pytest

import nlu
from nlu import segment
from nlu.errors import DictionaryError


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("公积金怎么提取", ["公积金"]),
        ("社保卡丢了", ["社保卡"]),
        ("网格员不作为", ["网格员"]),
        ("消防通道被堵了", ["消防通道"]),
        ("電話13812345678", ["电话", "13812345678"]),
        ("物业费太贵", ["物业费"]),
        ("拖欠工资三个月", ["拖欠工资"]),
    ],
)
def test_domain_words_stay_whole(text: str, words: list[str]) -> None:
    tokens = nlu.tokenize(text)
    for word in words:
        assert word in tokens


def test_tokens_drop_punctuation_and_space() -> None:
    assert nlu.tokenize("停水了！！ 怎么办？") == ["停水", "了", "怎么办"]


def test_reload_dictionary_picks_up_new_words(tmp_path: Path) -> None:
    custom = tmp_path / "dict.txt"
    custom.write_text("# test\n蓝莓湾片区 2000 ns\n", encoding="utf-8")
    segment.set_dictionary_path(custom)
    try:
        nlu.reload_dictionary()
        assert "蓝莓湾片区" in nlu.tokenize("蓝莓湾片区停水")
    finally:
        segment.set_dictionary_path(None)
        nlu.reload_dictionary()
    assert "蓝莓湾片区" not in nlu.tokenize("蓝莓湾片区停水")


def test_bad_dictionary_raises_and_keeps_old(tmp_path: Path) -> None:
    bad = tmp_path / "dict.txt"
    bad.write_text("公积金 many\n", encoding="utf-8")
    segment.set_dictionary_path(bad)
    try:
        with pytest.raises(DictionaryError) as info:
            nlu.reload_dictionary()
        assert info.value.code == "nlu.dictionary"
        assert "公积金" in nlu.tokenize("公积金提取")
    finally:
        segment.set_dictionary_path(None)


def test_edited_dictionary_is_picked_up_by_analyse_without_a_reload_call(tmp_path: Path) -> None:
    import os
    import time

    from nlu import watch

    custom = tmp_path / "dict.txt"
    custom.write_text("公积金 2000 n\n", encoding="utf-8")
    segment.set_dictionary_path(custom)
    try:
        nlu.reload_dictionary()
        assert "青柠湾片区" not in nlu.tokenize("青柠湾片区停电了")
        # a maintainer adds a word; the file's time moves on
        custom.write_text("公积金 2000 n\n青柠湾片区 2000 ns\n", encoding="utf-8")
        later = time.time() + 10
        os.utime(custom, (later, later))
        # within the check interval nothing is looked at
        assert not watch.maybe_reload(now=time.monotonic() - watch.CHECK_INTERVAL - 1, wait=True)
        assert watch.maybe_reload(now=time.monotonic() + watch.CHECK_INTERVAL + 1, wait=True)
        assert "青柠湾片区" in nlu.analyse("青柠湾片区停电了").tokens
        # an invalid edit is logged and the previous dictionary keeps serving
        custom.write_text("青柠湾片区 lots\n", encoding="utf-8")
        os.utime(custom, (later + 10, later + 10))
        assert watch.maybe_reload(now=time.monotonic() + 3 * watch.CHECK_INTERVAL, wait=True)
        assert "青柠湾片区" in nlu.tokenize("青柠湾片区停电了")
    finally:
        segment.set_dictionary_path(None)
        nlu.reload_dictionary()
