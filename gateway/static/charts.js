// Hand-written SVG charts (no library, nothing from a CDN): stacked bars, lines and a heatmap.
// Every chart carries role="img" with a text summary, and a data table for screen readers can sit beside it.
window.Charts = (function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  // Colour-blind-safe palette (Okabe–Ito), dark enough for white gaps between bars.
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8a7a00", "#555555"];

  function svg(width, height, label) {
    const s = document.createElementNS(NS, "svg");
    s.setAttribute("viewBox", "0 0 " + width + " " + height);
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", label);
    s.style.width = "100%";
    s.style.height = "auto";
    s.style.maxHeight = height + "px";
    return s;
  }
  function node(name, attrs, text) {
    const n = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  }
  // The top of a count axis: four equal whole-number steps (1, 2, 5, 10, 20, 50, ... each).
  function niceMax(v) {
    const rough = Math.max(v, 1) / 4;
    const p = Math.pow(10, Math.floor(Math.log10(rough)));
    for (const m of [1, 2, 5, 10]) if (m * p >= rough && Number.isInteger(m * p)) return 4 * m * p;
    return 4 * Math.ceil(rough);
  }
  function shortDay(iso) { return iso.slice(5).replace("-", "/"); }

  function axes(s, x0, y0, w, h, max, fmt) {
    for (let i = 0; i <= 4; i++) {
      const y = y0 + h - (h * i) / 4;
      s.append(node("line", { x1: x0, x2: x0 + w, y1: y, y2: y, stroke: "#e0e0e0" }));
      s.append(node("text", { x: x0 - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5f6368" }, fmt((max * i) / 4)));
    }
  }
  function dayLabels(s, days, x0, y, step) {
    const every = Math.ceil(days.length / 10);
    days.forEach((d, i) => {
      if (i % every === 0) s.append(node("text", { x: x0 + step * i + step / 2, y: y, "text-anchor": "middle", "font-size": 11, fill: "#5f6368" }, shortDay(d)));
    });
  }
  function legend(names) {
    const box = document.createElement("div");
    box.className = "chart-legend";
    names.forEach((n, i) => {
      const item = document.createElement("span");
      const sw = document.createElement("i");
      sw.style.background = PALETTE[i % PALETTE.length];
      item.append(sw, document.createTextNode(n));
      box.append(item);
    });
    return box;
  }

  // series: {name: [values per day]}
  function stackedBars(days, series, label) {
    const names = Object.keys(series);
    const W = 640, H = 240, L = 40, T = 10, B = 24, w = W - L - 10, h = H - T - B;
    const totals = days.map((_, i) => names.reduce((a, n) => a + (series[n][i] || 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    const s = svg(W, H, label + "：共 " + totals.reduce((a, b) => a + b, 0));
    axes(s, L, T, w, h, max, (v) => String(Math.round(v)));
    const step = w / Math.max(days.length, 1);
    days.forEach((d, i) => {
      let y = T + h;
      names.forEach((n, k) => {
        const v = series[n][i] || 0;
        if (!v) return;
        const bh = (h * v) / max;
        y -= bh;
        const r = node("rect", { x: L + step * i + step * 0.15, y: y, width: step * 0.7, height: bh, fill: PALETTE[k % PALETTE.length] });
        r.append(node("title", {}, d + " " + n + "：" + v));
        s.append(r);
      });
    });
    dayLabels(s, days, L, H - 6, step);
    const wrap = document.createElement("div");
    wrap.append(s, legend(names));
    return wrap;
  }

  // series: {name: [rate 0..1 or null per day]}
  function lines(days, series, label) {
    const names = Object.keys(series);
    const W = 640, H = 220, L = 44, T = 10, B = 24, w = W - L - 10, h = H - T - B;
    const s = svg(W, H, label);
    axes(s, L, T, w, h, 1, (v) => Math.round(v * 100) + "%");
    const step = w / Math.max(days.length, 1);
    names.forEach((n, k) => {
      const colour = PALETTE[k % PALETTE.length];
      let path = "";
      series[n].forEach((v, i) => {
        if (v === null || v === undefined) { path += " "; return; }
        const x = L + step * i + step / 2, y = T + h - h * v;
        path += (path.endsWith(" ") || !path ? " M" : " L") + x.toFixed(1) + " " + y.toFixed(1);
        const c = node("circle", { cx: x, cy: y, r: 3, fill: colour });
        c.append(node("title", {}, days[i] + " " + n + "：" + (v * 100).toFixed(1) + "%"));
        s.append(c);
      });
      if (path.trim()) s.append(node("path", { d: path.trim(), fill: "none", stroke: colour, "stroke-width": 2 }));
    });
    dayLabels(s, days, L, H - 6, step);
    const wrap = document.createElement("div");
    wrap.append(s, legend(names));
    return wrap;
  }

  // Row-normalised heatmap of a confusion matrix (rows gold, columns predicted) with counts in the cells.
  function heatmap(labels, matrix, label) {
    const n = labels.length, cell = Math.max(18, Math.min(34, Math.floor(520 / Math.max(n, 1))));
    const L = 120, T = 110, W = L + n * cell + 10, H = T + n * cell + 10;
    const s = svg(W, H, label);
    s.classList.add("confusion");
    s.style.maxHeight = "none";
    labels.forEach((lab, i) => {
      s.append(node("text", { x: L - 4, y: T + i * cell + cell / 2 + 4, "text-anchor": "end", "font-size": 11 }, lab));
      const tx = L + i * cell + cell / 2, ty = T - 4;
      s.append(node("text", { x: tx, y: ty, "font-size": 11, transform: "rotate(-60 " + tx + " " + ty + ")" }, lab));
    });
    s.append(node("text", { x: 4, y: 12, "font-size": 11, fill: "#5f6368" }, "行：实际　列：预测"));
    matrix.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      row.forEach((v, j) => {
        const share = v / total;
        const light = Math.round(97 - share * 62);
        const r = node("rect", { x: L + j * cell, y: T + i * cell, width: cell - 1, height: cell - 1, fill: "hsl(215, 70%, " + light + "%)" });
        r.append(node("title", {}, "实际 " + labels[i] + " → 预测 " + labels[j] + "：" + v));
        s.append(r);
        if (v) s.append(node("text", { x: L + j * cell + cell / 2, y: T + i * cell + cell / 2 + 4, "text-anchor": "middle", "font-size": 10, fill: light < 60 ? "#fff" : "#1f1f1f" }, String(v)));
      });
    });
    return s;
  }

  return { stackedBars, lines, heatmap, PALETTE };
})();
