"""Classifier benchmark: built-in vs embedding vs Rasa DIET on the same folds of the team's starter data.

    .venv/bin/python bench/classifier.py                          # built-in only (about a minute)
    .venv/bin/python bench/classifier.py --embedding              # + sentence-transformers backend
    .venv/bin/python bench/classifier.py --rasa --rasa-bin /work/rasa-venv/bin/rasa --rasa-folds 1
    .venv/bin/python bench/classifier.py --json bench-classifier.json

Figures: macro-F1 and accuracy (category "一级/二级" and intent tasks; folds grouped by the hand-written
phrase a generated example came from, so variants of one phrase never sit on both sides, plus the usual
plain stratified folds for comparison), train seconds per fold, predict latency p50/p99 one message at a
time, train time of the full three-head model on 10,000 examples, throughput, memory.
Targets (issue 5): 10k examples train < 60 s, p99 < 5 ms, >= 20x Rasa's throughput, macro-F1 >= DIET's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from classifier.crossval import cross_validate, make_splits, metrics  # noqa: E402
from classifier.trainingdata import DEFAULT_DATA_DIR, Example, load_rasa_yaml  # noqa: E402


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def task_data(examples: Sequence[Example], task: str) -> tuple[list[str], list[str], list[str]]:
    if task == "category":
        rows = [e for e in examples if e.category]
        return [e.text for e in rows], [str(e.category) for e in rows], [e.source for e in rows]
    return [e.text for e in examples], [e.intent for e in examples], [e.source for e in examples]


def bench_builtin(texts: list[str], labels: list[str], groups: list[str], folds: int) -> dict[str, Any]:
    grouped = cross_validate(texts, labels, folds=folds, groups=groups)
    plain = cross_validate(texts, labels, folds=folds)
    return {
        "macro_f1_grouped": grouped["macro_f1"],
        "ece_grouped": grouped["ece"],
        "accuracy_grouped": grouped["accuracy"],
        "macro_f1_stratified": plain["macro_f1"],
        "accuracy_stratified": plain["accuracy"],
        "train_seconds_per_fold": grouped["train_seconds"],
        "predict_ms_p50": grouped["predict_ms_p50"],
        "predict_ms_p99": grouped["predict_ms_p99"],
    }


def bench_full_model(n_target: int) -> dict[str, Any]:
    """Train the real three-head model on ~n_target generated examples; latency, throughput, memory."""
    from classifier.builtin import BuiltinBackend, BuiltinConfig
    from classifier.datagen.generate import generate
    from classifier.model import Classifier
    from classifier.persistence import load_version
    from classifier.text import available_tokenizer

    frames = 4
    examples: list[Example] = []
    while len(examples) < n_target and frames < 40:
        frames += 4
        examples = [e for data in generate(frames_per_phrase=frames).values() for e in data.examples]
    examples = examples[:n_target] if len(examples) > n_target else examples
    started = time.perf_counter()
    backend = BuiltinBackend.train(
        [e.text for e in examples],
        [e.intent for e in examples],
        [e.category for e in examples],
        [e.emergency for e in examples],
        BuiltinConfig(tokenizer=available_tokenizer()),
        [e.source for e in examples],
    )
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        backend.save(Path(tmp))
        (Path(tmp) / "metadata.json").write_text('{"backend": "builtin"}', encoding="utf-8")
        size_mb = (Path(tmp) / BuiltinBackend.FILE).stat().st_size / 2**20
        before = rss_mb()
        clf: Classifier = load_version(Path(tmp))
        loaded_mb = rss_mb() - before
    probe = [e.text for e in examples[:: max(1, len(examples) // 2000)]][:2000]
    for t in probe[:50]:
        clf.predict(t)
    lat = []
    started = time.perf_counter()
    for t in probe:
        t0 = time.perf_counter()
        clf.predict(t)
        lat.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "examples": len(examples),
        "train_seconds": round(train_seconds, 2),
        "predict_ms_p50": round(float(np.percentile(lat, 50)), 3),
        "predict_ms_p99": round(float(np.percentile(lat, 99)), 3),
        "throughput_per_s": round(len(probe) / elapsed, 1),
        "model_file_mb": round(size_mb, 1),
        "model_rss_mb": round(loaded_mb, 1),
        "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def bench_embedding(texts: list[str], labels: list[str], groups: list[str], folds: int, encoder: str) -> dict[str, Any]:
    """The encoder is fixed, so each text is encoded once and the heads are refitted per fold."""
    from sklearn.linear_model import LogisticRegression

    from classifier.embedding import EmbeddingBackend, load_encoder

    before = rss_mb()
    t0 = time.perf_counter()
    load_encoder(encoder)
    load_seconds = time.perf_counter() - t0
    encoder_mb = rss_mb() - before
    probe = EmbeddingBackend(encoder, {})
    t0 = time.perf_counter()
    x = probe.encode(texts)
    encode_seconds = time.perf_counter() - t0
    gold: list[str] = []
    pred: list[str] = []
    train_seconds = []
    for train_idx, test_idx in make_splits(texts, labels, folds, groups):
        t0 = time.perf_counter()
        head = LogisticRegression(C=10.0, max_iter=2000).fit(x[train_idx], [labels[i] for i in train_idx])
        fit_s = time.perf_counter() - t0
        train_seconds.append(round(fit_s + encode_seconds * len(train_idx) / len(texts), 2))
        pred += [str(p) for p in head.predict(x[test_idx])]
        gold += [labels[i] for i in test_idx]
    lat = []
    for t in texts[:: max(1, len(texts) // 200)][:200]:
        t0 = time.perf_counter()
        head.predict(probe.encode([t]))
        lat.append((time.perf_counter() - t0) * 1000)
    m = metrics(gold, pred)
    return {
        "encoder": encoder,
        "macro_f1_grouped": m["macro_f1"],
        "accuracy_grouped": m["accuracy"],
        "train_seconds_per_fold": train_seconds,
        "encode_seconds_all": round(encode_seconds, 1),
        "encoder_load_seconds": round(load_seconds, 1),
        "predict_ms_p50": round(float(np.percentile(lat, 50)), 2),
        "predict_ms_p99": round(float(np.percentile(lat, 99)), 2),
        "encoder_rss_mb": round(encoder_mb, 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_rasa(
    texts: list[str],
    labels: list[str],
    groups: list[str],
    folds: int,
    use_folds: int,
    epochs: int,
    rasa_bin: str,
    train_timeout: float,
    train_log: Path | None,
) -> dict[str, Any]:
    """Rasa DIET through a real server, on the first `use_folds` of the same folds; built-in on the same."""
    import httpx

    from classifier.crossval import fit_label_model
    from classifier.rasa.export import RasaOptions, export_project
    from classifier.rasa.runner import start_server, train_project
    from classifier.trainingdata import TrainingData

    splits = make_splits(texts, labels, folds, groups)[:use_folds]
    out: dict[str, Any] = {"folds_used": use_folds, "epochs": epochs, "per_fold": []}
    gold: list[str] = []
    pred_rasa: list[str] = []
    pred_builtin: list[str] = []
    lat: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (train_idx, test_idx) in enumerate(splits):
            # Rasa intent names: the label with "/" replaced (Rasa's retrieval-intent separator).
            data = TrainingData([Example(texts[i], labels[i].replace("/", "__")) for i in train_idx])
            project = export_project(data, Path(tmp) / f"fold{k}", "intent", RasaOptions(epochs=epochs))
            t0 = time.perf_counter()
            train_project(project, Path(rasa_bin), timeout_seconds=train_timeout, log_path=train_log)
            rasa_train = time.perf_counter() - t0
            t0 = time.perf_counter()
            server = start_server(project, Path(rasa_bin), _free_port(), ready_timeout=600)
            startup = time.perf_counter() - t0
            try:
                with httpx.Client(timeout=30) as client:
                    for i in test_idx:
                        t0 = time.perf_counter()
                        r = client.post(f"{server.url}/model/parse", json={"text": texts[i]})
                        lat.append((time.perf_counter() - t0) * 1000)
                        ranking = [x for x in r.json()["intent_ranking"] if x["name"] != "nlu_fallback"]
                        pred_rasa.append(ranking[0]["name"].replace("__", "/", 1) if ranking else "")
                        gold.append(labels[i])
                server_rss = rss_mb(server.process.pid)
            finally:
                server.stop()
            t0 = time.perf_counter()
            builtin = fit_label_model("builtin", [texts[i] for i in train_idx], [labels[i] for i in train_idx])
            builtin_train = time.perf_counter() - t0
            pred_builtin += [builtin.predict_one(texts[i]) for i in test_idx]
            out["per_fold"].append(
                {
                    "rasa_train_seconds": round(rasa_train, 1),
                    "rasa_server_startup_seconds": round(startup, 1),
                    "rasa_server_rss_mb": round(server_rss, 1),
                    "builtin_train_seconds": round(builtin_train, 2),
                }
            )
    rasa_m, builtin_m = metrics(gold, pred_rasa), metrics(gold, pred_builtin)
    out.update(
        rasa_macro_f1=rasa_m["macro_f1"],
        rasa_accuracy=rasa_m["accuracy"],
        builtin_macro_f1_same_folds=builtin_m["macro_f1"],
        builtin_accuracy_same_folds=builtin_m["accuracy"],
        rasa_predict_ms_p50=round(float(np.percentile(lat, 50)), 2),
        rasa_predict_ms_p99=round(float(np.percentile(lat, 99)), 2),
        rasa_throughput_per_s=round(1000.0 / float(np.mean(lat)), 1),
    )
    return out


def bench_rasa_latency(project: Path, texts: list[str], rasa_bin: str) -> dict[str, Any]:
    """Parse latency and throughput of an already trained Rasa project (e.g. `make rasa-train`'s), one message
    at a time. No macro-F1: that project was trained on every text, so it would be scored on its own data."""
    import httpx

    from classifier.rasa.runner import start_server

    t0 = time.perf_counter()
    server = start_server(project, Path(rasa_bin), _free_port(), ready_timeout=600)
    startup = time.perf_counter() - t0
    lat: list[float] = []
    try:
        with httpx.Client(timeout=30) as client:
            for text in texts:
                t0 = time.perf_counter()
                client.post(f"{server.url}/model/parse", json={"text": text}).raise_for_status()
                lat.append((time.perf_counter() - t0) * 1000)
        server_rss = rss_mb(server.process.pid)
    finally:
        server.stop()
    return {
        "project": str(project),
        "messages": len(texts),
        "rasa_server_startup_seconds": round(startup, 1),
        "rasa_server_rss_mb": round(server_rss, 1),
        "rasa_predict_ms_p50": round(float(np.percentile(lat, 50)), 2),
        "rasa_predict_ms_p99": round(float(np.percentile(lat, 99)), 2),
        "rasa_throughput_per_s": round(1000.0 / float(np.mean(lat)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--task", choices=["category", "intent", "both"], default="both")
    parser.add_argument("--train-size", type=int, default=10_000)
    parser.add_argument("--embedding", action="store_true")
    parser.add_argument("--encoder", default="default", help="sentence-transformers id/path (default: offline e5)")
    parser.add_argument("--rasa", action="store_true")
    parser.add_argument("--rasa-bin", default=os.environ.get("HOTLINE_RASA_BIN", ".rasa-venv/bin/rasa"))
    parser.add_argument("--rasa-folds", type=int, default=1)
    parser.add_argument("--rasa-epochs", type=int, default=100)
    parser.add_argument("--rasa-task", choices=["category", "intent"], default="category")
    parser.add_argument("--rasa-train-timeout", type=float, default=3600, help="seconds per fold")
    parser.add_argument("--rasa-train-log", type=Path, default=None, help="Rasa's training output (progress)")
    parser.add_argument(
        "--rasa-project",
        type=Path,
        default=None,
        help="latency only: a trained Rasa project (e.g. var/rasa/category after `make rasa-train`), no training",
    )
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    examples = load_rasa_yaml([DEFAULT_DATA_DIR]).examples
    report: dict[str, Any] = {"data": {"examples": len(examples)}, "folds": args.folds}

    def done(key: str, figures: dict[str, Any]) -> None:
        # Written after every section: a run cut short (Rasa takes long) keeps what it measured.
        report[key] = figures
        print(f"{key}: {json.dumps(figures, ensure_ascii=False)}", flush=True)
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    tasks = ["category", "intent"] if args.task == "both" else [args.task]
    if args.rasa:  # first: the longest and the figure the targets compare against
        texts, labels, groups = task_data(examples, args.rasa_task)
        rasa = bench_rasa(
            texts,
            labels,
            groups,
            args.folds,
            args.rasa_folds,
            args.rasa_epochs,
            args.rasa_bin,
            args.rasa_train_timeout,
            args.rasa_train_log,
        )
        done("rasa", {"task": args.rasa_task, **rasa})
    if args.rasa_project:
        texts, _labels, _groups = task_data(examples, args.rasa_task)
        done("rasa_latency", bench_rasa_latency(args.rasa_project, texts[:: max(1, len(texts) // 600)], args.rasa_bin))
    for task in tasks:
        texts, labels, groups = task_data(examples, task)
        done(f"builtin_{task}", bench_builtin(texts, labels, groups, args.folds))
    full = bench_full_model(args.train_size)
    if args.rasa:
        report["rasa"]["builtin_throughput_ratio"] = round(full["throughput_per_s"] / rasa["rasa_throughput_per_s"], 1)
    if args.rasa_project:
        ratio = full["throughput_per_s"] / report["rasa_latency"]["rasa_throughput_per_s"]
        report["rasa_latency"]["builtin_throughput_ratio"] = round(ratio, 1)
    done("builtin_full_model", full)
    if args.embedding:
        for task in tasks:
            texts, labels, groups = task_data(examples, task)
            done(f"embedding_{task}", bench_embedding(texts, labels, groups, args.folds, args.encoder))


if __name__ == "__main__":
    main()
