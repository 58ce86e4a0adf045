"""segment.cut is jieba's accurate mode with HMM, piece for piece."""

import random

from nlu import segment
from nlu.evaluation import load_heldout, load_tune
from nlu.normalization import normalize


def test_cut_equals_jieba() -> None:
    texts = [e.text for e in load_tune()] + [e.text for p in ("a", "b", "c", "d") for e in load_heldout(part=p)]
    rng = random.Random(12345)
    texts += ["".join(rng.sample(texts, 4)) for _ in range(300)]
    texts += [
        "",
        "   ",
        "a b\r\n c  \t",
        "abc123 4.5% x-y_z #1 &",
        "喂喂喂张三李四王麻子在吗",
        "ok啦 GO!! 1234567890123456789",
        "電話13812345678，投訴城管局",
    ]
    tok = segment.tokenizer()
    for text in texts:
        for variant in (text, normalize(text).text):
            assert segment.cut(variant) == list(tok.cut(variant, HMM=True)), variant


def test_hmm_memo_gives_the_same_pieces_twice() -> None:
    first = segment.cut("俺们村的二狗子咋整")
    assert segment.cut("俺们村的二狗子咋整") == first
    assert "".join(first) == "俺们村的二狗子咋整"
