from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import numpy as np
import pytest

from classifier import embedding
from classifier.embedding import EmbeddingBackend
from classifier.model import Classifier
from classifier.persistence import load_version


class HashingEncoder:
    """A stand-in sentence encoder (character bigrams hashed into 64 dims): tests the backend, not torch."""

    def encode(self, texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for a, b in itertools.pairwise(text):
                out[i, int(hashlib.md5((a + b).encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


@pytest.fixture
def fake_encoder(monkeypatch):
    monkeypatch.setitem(embedding._ENCODERS, "hashing-test", HashingEncoder())
    return "hashing-test"


def test_embedding_backend_trains_saves_loads_and_predicts(fake_encoder: str, tmp_path: Path) -> None:
    texts = [
        "楼下烧烤油烟太大",
        "烧烤店油烟呛人",
        "工地半夜施工太吵",
        "老板拖欠工资不发",
        "公司欠薪三个月",
        "你好",
        "您好啊",
        "家里着火了快来",
    ]
    intents = ["投诉", "投诉", "投诉", "投诉", "投诉", "greet", "greet", "求助"]
    cats = ["环境保护/环境污染"] * 3 + ["劳动和社会保障/工资福利"] * 2 + [None, None, "政法/社会治安"]
    emerg = [None] * 7 + ["119"]
    backend = EmbeddingBackend.train(texts, intents, cats, emerg, encoder=fake_encoder)
    assert set(backend.classes()) == {"intent", "category", "emergency"}
    backend.save(tmp_path)
    (tmp_path / "metadata.json").write_text('{"backend": "embedding"}', encoding="utf-8")
    loaded = load_version(tmp_path)
    assert isinstance(loaded, Classifier) and loaded.backend.name == "embedding"
    p = loaded.predict("楼下烧烤的油烟太大了")
    assert p.backend == "embedding" and p.intent in {"投诉", "求助", "greet"}
    assert abs(sum(c for _, c in p.ranking) - 1.0) < 0.01  # all three categories ranked, probabilities


def test_default_encoder_comes_from_the_knowledge_package(monkeypatch) -> None:
    calls = []
    import knowledge.embedding as kb

    monkeypatch.setattr(kb, "load_encoder", lambda name=None: calls.append(name) or HashingEncoder())
    monkeypatch.delitem(embedding._ENCODERS, "default", raising=False)
    assert isinstance(embedding.load_encoder("default"), HashingEncoder)
    assert calls == [None]
    monkeypatch.delitem(embedding._ENCODERS, "default")
