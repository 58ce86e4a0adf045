"""The HTML report of a cross-validation run, with a confusion-matrix picture (matplotlib, lazily)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.low{background:#fde2e2}
"""


def write_report(result: dict[str, Any], directory: Path, title: str = "分类器交叉验证报告") -> Path:
    """Write report.html, cv.json and (when matplotlib is importable) confusion.png into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cv.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    picture = confusion_png(result["confusion"], directory / "confusion.png")
    rows = "".join(
        f"<tr{' class=low' if m['f1'] < 0.6 else ''}><td>{html.escape(label)}</td><td>{m['precision']:.3f}</td>"
        f"<td>{m['recall']:.3f}</td><td>{m['f1']:.3f}</td><td>{m['support']}</td></tr>"
        for label, m in sorted(result["per_class"].items(), key=lambda kv: kv[1]["f1"])
    )
    legend = " ".join(f"{i}={html.escape(label)}" for i, label in enumerate(result["confusion"]["labels"]))
    image = (
        f'<img src="confusion.png" alt="confusion matrix" style="max-width:100%"><p>{legend}</p>'
        if picture
        else confusion_table(result["confusion"])
    )
    train = ", ".join(f"{t:.2f}" for t in result["train_seconds"])
    doc = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_STYLE}</style><h1>{html.escape(title)}</h1>
<table><tr><th>backend</th><td>{html.escape(str(result.get("backend")))}</td></tr>
<tr><th>folds</th><td>{result.get("folds")}{" (grouped)" if result.get("grouped") else ""}</td></tr>
<tr><th>examples</th><td>{result.get("n")}</td></tr>
<tr><th>accuracy</th><td>{result["accuracy"]:.4f}</td></tr>
<tr><th>macro-F1</th><td>{result["macro_f1"]:.4f}</td></tr>
<tr><th>train seconds per fold</th><td>{train}</td></tr>
<tr><th>predict ms p50 / p99</th><td>{result["predict_ms_p50"]:.3f} / {result["predict_ms_p99"]:.3f}</td></tr></table>
<h2>混淆矩阵</h2>{image}
<h2>各类别指标（按 F1 升序）</h2>
<table><tr><th>类别</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>
</html>"""
    path = directory / "report.html"
    path.write_text(doc, encoding="utf-8")
    return path


def confusion_table(confusion: dict[str, Any]) -> str:
    labels = confusion["labels"]
    head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
    body = "".join(
        f"<tr><th>{html.escape(label)}</th>" + "".join(f"<td>{v or ''}</td>" for v in row) + "</tr>"
        for label, row in zip(labels, confusion["matrix"], strict=True)
    )
    return f"<table><tr><th>gold \\ predicted</th>{head}</tr>{body}</table>"


def confusion_png(confusion: dict[str, Any], path: Path) -> bool:
    """Draw the matrix (rows: gold, columns: predicted, row-normalised); False when matplotlib is absent."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager
    except ImportError:
        return False
    import numpy as np

    labels = confusion["labels"]
    matrix = np.asarray(confusion["matrix"], dtype=float)
    norm = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    cjk = [f.name for f in font_manager.fontManager.ttflist if any(k in f.name for k in ("CJK", "Hei", "Song", "Kai"))]
    if cjk:
        plt.rcParams["font.family"] = cjk[0]
        ticks = list(labels)
    else:  # without a CJK font Chinese labels render as boxes: number them, the HTML has the legend
        ticks = [str(i) for i in range(len(labels))]
    size = max(6.0, 0.35 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels=ticks, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels=ticks, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    if len(labels) <= 30:
        for i in range(len(labels)):
            for j in range(len(labels)):
                if matrix[i, j]:
                    color = "white" if norm[i, j] > 0.5 else "black"
                    ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=6, color=color)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
