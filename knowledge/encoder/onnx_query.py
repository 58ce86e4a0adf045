"""The query encoder of the serving path: the same sentence model exported to ONNX and run by ONNX Runtime.

One citizen question through torch eager costs about 60-75 ms of CPU on these 2-core machines, most of it
Python and dispatch overhead around tiny matrix products; the same graph in ONNX Runtime costs about 20 ms,
and with int8 weights (dynamic quantisation, one scale per output channel) about 12 ms. Documents are
still encoded by the float model at index time, so only the query side carries the quantisation error:
measured cosine to the float model >= 0.99 on the evaluation questions (`check_agreement` and
bench/knowledge.py report it). Export and quantisation run once per model folder and are cached beside it.

Only models whose sentence-transformers stack is Transformer -> mean Pooling -> (Normalize) can be exported
this way (the e5 family, the offline default); for anything else `export` raises EncoderError and the
caller keeps the torch path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.errors import EncoderError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vector = npt.NDArray[np.float32]
PRECISIONS = ("int8", "float32")
# Exported graphs are tied to this file's export code: bump to re-export after changing it.
EXPORT_VERSION = 1
# A query is cut to this many tokens: a long letter's first sentences carry the question, and attention
# cost grows with the square of the length (a 400-character letter took 300 ms at full length).
MAX_QUERY_TOKENS = 128


def _stack_is_mean_pooled(model: SentenceTransformer) -> bool:
    modules = list(model)
    names = [type(m).__name__ for m in modules]
    if len(names) < 2 or names[0] != "Transformer" or names[1] != "Pooling":
        return False
    if any(name not in ("Normalize",) for name in names[2:]):
        return False
    pooling = modules[1]
    mode: Any = getattr(pooling, "pooling_mode", None)
    if mode is None:
        mode = getattr(pooling, "get_pooling_mode_str", lambda: "")()
    return str(mode) == "mean"


def _fingerprint(model: SentenceTransformer, source: str) -> str:
    """Model identity for the cache: the source plus a few weight values (a rebuilt folder re-exports)."""
    import torch

    bert: Any = model[0].auto_model
    probe = [p.detach().flatten()[:64] for p in list(bert.parameters())[:3]]
    digest = hashlib.sha1(source.encode())
    digest.update(torch.cat(probe).to(torch.float32).numpy().tobytes())
    digest.update(str(EXPORT_VERSION).encode())
    return digest.hexdigest()[:16]


def export(model: SentenceTransformer, target_dir: Path, source: str, precision: str = "int8") -> Path:
    """Write (once) the ONNX graph of `model` (token ids -> normalised mean-pooled vector); returns its path."""
    if precision not in PRECISIONS:
        raise EncoderError(f"unknown query encoder precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    if not _stack_is_mean_pooled(model):
        raise EncoderError("only Transformer + mean Pooling models can be exported to ONNX")
    fingerprint = _fingerprint(model, source)
    target = target_dir / f"query-{fingerprint}-{precision}.onnx"
    if target.is_file():
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    float_path = target_dir / f"query-{fingerprint}-float32.onnx"
    if not float_path.is_file():
        _export_float(model, float_path)
    if precision == "int8":
        _quantise(float_path, target)
    return target


def _export_float(model: SentenceTransformer, target: Path) -> None:
    import torch

    first: Any = model[0]
    bert: Any = first.auto_model.eval()
    tokenizer: Any = first.tokenizer

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            normalised: torch.Tensor = pooled / pooled.norm(dim=-1, keepdim=True)
            return normalised

    sample = tokenizer(["query: 社保卡丢了怎么补办"], return_tensors="pt")
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                MeanPooled(),
                (sample["input_ids"], sample["attention_mask"]),
                tmp,
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)
    except Exception as exc:
        raise EncoderError(f"cannot export the query encoder to ONNX: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _quantise(float_path: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        # Per-channel scales: per-tensor int8 kept only 0.97 cosine to the float model.
        quantize_dynamic(str(float_path), tmp, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, target)
    except Exception as exc:
        raise EncoderError(f"cannot quantise the query encoder: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class OnnxQueryEncoder:
    """text -> L2-normalised vector with one ONNX Runtime thread (the gateway pins one core per process)."""

    def __init__(self, path: Path, tokenizer: Any, prefix: str, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise EncoderError(f"cannot load the ONNX query encoder {path}: {exc}") from exc
        self._tokenizer = tokenizer
        self._prefix = prefix
        self.path = path

    def encode(self, text: str) -> Vector:
        encoded = self._tokenizer(
            [self._prefix + text], return_tensors="np", truncation=True, max_length=MAX_QUERY_TOKENS
        )
        feeds = {
            "input_ids": encoded["input_ids"].astype(np.int64),
            "attention_mask": encoded["attention_mask"].astype(np.int64),
        }
        out = self._session.run(None, feeds)[0][0]
        return np.asarray(out, dtype=np.float32)


def check_agreement(encoder: OnnxQueryEncoder, model: SentenceTransformer, texts: list[str]) -> dict[str, float]:
    """Cosine between the ONNX vectors and the float sentence-transformers vectors of the same texts."""
    reference = model.encode(
        [encoder._prefix + t for t in texts], normalize_embeddings=True, convert_to_numpy=True, batch_size=32
    )
    ours = np.stack([encoder.encode(t) for t in texts])
    cosines = (reference * ours).sum(axis=1)
    return {"min": float(cosines.min()), "mean": float(cosines.mean()), "texts": float(len(texts))}
