"""Search tokens for BM25: the NLU's words (normalised, jieba + domain dictionary), minus filler.

Colloquial questions vary in segmentation ("取出来" / "提取"), so each CJK word of two or more characters
also contributes its single characters, prefixed so they never collide with one-character words.
Filler words carry no topic; dropping them keeps them out of the refusal score's denominator.
"""

from __future__ import annotations

from collections.abc import Iterable

CHAR_PREFIX = "#"

# Question words, particles and politeness that every consultation shares.
_STOPWORD_TEXT = """
    的 了 吗 呢 啊 呀 吧 哦 嘛 么 啦 哈 嗯 哎 喂 诶 噢 咯 哟 着 过 地 得 之 与 及 和 或 跟 同 也 都 就 还 又 再 才
    我 你 您 他 她 它 我们 你们 他们 咱 咱们 自己 人家 大家 这 那 这个 那个 这些 那些 这样 那样 这里 那里 哪 哪里 哪儿
    什么 怎么 怎样 怎么样 如何 咋 咋办 咋整 啥 为什么 为啥 多少 几 是不是 能不能 可不可以 可以 能 会 要 想 想问 想问下
    问下 问一下 请问 请 麻烦 谢谢 您好 你好 一下 下 是 有 没 没有 不 在 把 被 给 让 对 从 向 到 去 来 吗 呗 一个 个 些
    应该 需要 怎么办 办 弄 搞 好 现在 已经 刚 刚刚 还是 但是 可是 然后 所以 因为 如果 的话 请教 咨询 一 上 中
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def expand(words: Iterable[str], chars: bool = True) -> list[str]:
    tokens: list[str] = []
    for word in words:
        word = word.strip().lower()
        if not word or word in STOPWORDS:
            continue
        if chars and len(word) == 1 and _is_cjk(word):
            # A one-character word matches the same character inside longer words ("换" / "换证").
            tokens.append(CHAR_PREFIX + word)
            continue
        tokens.append(word)
        if chars:
            tokens.extend(CHAR_PREFIX + ch for ch in word if _is_cjk(ch))
    return tokens


def search_tokens(text: str, chars: bool = True) -> list[str]:
    import nlu

    return expand(nlu.tokenize(text), chars=chars)


def normalized_search_tokens(normalized: str, chars: bool = True) -> list[str]:
    """Search tokens of text `nlu.normalize` already produced (the search path normalises once)."""
    from nlu.core import pieces_with_offsets, words

    return expand(words(pieces_with_offsets(normalized)), chars=chars)
