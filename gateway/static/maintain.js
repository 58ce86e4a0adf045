// Maintainer console: knowledge articles (edit, review, publish, expire, search preview), review of agent
// corrections, and train / evaluate / promote with a progress bar and the evaluation report.
(function () {
  "use strict";
  const { api, el, toast, pct, when } = window.Staff;
  const STATUS = { draft: "草稿", review: "待审核", published: "已发布", expired: "已过期" };
  const STATUS_CLS = { draft: "", review: "amber", published: "green", expired: "red" };
  let me = null;
  let current = null;  // the article in the editor (null: a new one)

  window.Staff.requireSignIn(["maintainer", "admin"], (s) => {
    me = s.user;
    setUpTabs();
    setUpKnowledge();
    document.getElementById("train").addEventListener("click", startTraining);
  });

  // -- tabs (arrow keys move between them, as the ARIA pattern expects) ------------------------------
  function setUpTabs() {
    const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
    function select(tab) {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).classList.toggle("hidden", !on);
      }
      if (tab.id === "tab-review") loadReviews();
      if (tab.id === "tab-models") loadModels();
    }
    tabs.forEach((t, i) => {
      t.addEventListener("click", () => select(t));
      t.addEventListener("keydown", (e) => {
        const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (d) { const next = tabs[(i + d + tabs.length) % tabs.length]; next.focus(); select(next); }
      });
    });
  }

  // -- knowledge base (the signed-in maintainer's own token; history records the account) ------------
  function kb(path, options) {
    return api("/api/kb" + path, options);
  }

  function setUpKnowledge() {
    document.getElementById("kb-status").addEventListener("change", loadArticles);
    document.getElementById("kb-new").addEventListener("click", () => edit(null));
    document.getElementById("kb-editor").addEventListener("submit", (e) => { e.preventDefault(); save(); });
    document.getElementById("kb-search").addEventListener("submit", (e) => { e.preventDefault(); preview(); });
    openKnowledge();
  }

  async function openKnowledge() {
    const error = document.getElementById("kb-error");
    try {
      await loadArticles();
      error.classList.add("hidden");
      document.getElementById("kb").classList.remove("hidden");
      edit(null);
    } catch (e) {
      error.textContent = "知识库接口不可用：" + e.message;
      error.classList.remove("hidden");
    }
  }

  async function loadArticles() {
    const status = document.getElementById("kb-status").value;
    const articles = await kb("/articles" + (status ? "?status=" + status : ""));
    document.getElementById("kb-count").textContent = articles.length + " 条";
    const list = document.getElementById("kb-list");
    list.textContent = "";
    articles.sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
    for (const a of articles) {
      list.append(el("li", {}, el("button", {
        type: "button", "aria-current": String(!!current && current.id === a.id), "data-id": a.id, onclick: () => edit(a),
      }, a.title, " ", el("span.badge." + (STATUS_CLS[a.status] || ""), {}, STATUS[a.status] || a.status),
      el("small", {}, " v" + a.version + " · " + (a.category || "未分类")))));
    }
    return articles;
  }

  function field(name) { return document.querySelector('#kb-editor [name="' + name + '"]'); }

  function edit(article) {
    current = article;
    document.getElementById("kb-editor-title").textContent = article ? "编辑：" + article.title : "新建条目";
    const a = article || {};
    for (const name of ["title", "question", "answer", "category", "department", "source", "source_url", "valid_from", "valid_until"]) field(name).value = a[name] || "";
    field("paraphrases").value = (a.paraphrases || []).join("\n");
    document.getElementById("kb-editor-status").textContent = article ? "状态：" + (STATUS[a.status] || a.status) + "　版本 " + a.version + "　ID " + a.id : "";
    const actions = document.getElementById("kb-actions");
    actions.textContent = "";
    actions.append(el("button.primary", { type: "submit" }, article ? "保存修改" : "保存为草稿"));
    const moves = { draft: [["submit", "提交审核"]], review: [["publish", "审核通过并发布"], ["reject", "退回修改"]], published: [["retire", "下架（过期）"]], expired: [] };
    for (const [action, label] of (article ? moves[a.status] || [] : [])) {
      actions.append(el("button" + (action === "retire" || action === "reject" ? ".danger" : ""), { type: "button", "data-action": action, onclick: () => move(action, label) }, label));
    }
    for (const b of document.querySelectorAll("#kb-list button")) b.setAttribute("aria-current", String(!!article && b.dataset.id === article.id));
  }

  function content() {
    const body = {};
    for (const name of ["title", "question", "answer", "category", "department", "source", "source_url"]) body[name] = field(name).value.trim();
    for (const name of ["valid_from", "valid_until"]) body[name] = field(name).value || null;
    body.paraphrases = field("paraphrases").value.split("\n").map((x) => x.trim()).filter(Boolean);
    return body;
  }

  async function save() {
    try {
      const saved = current
        ? await kb("/articles/" + encodeURIComponent(current.id), { method: "PUT", json: Object.assign(content(), { expected_version: current.version }) })
        : await kb("/articles", { method: "POST", json: content() });
      toast("已保存（版本 " + saved.version + "）");
      await loadArticles();
      edit(saved);
    } catch (e) { toast("保存失败：" + e.message); }
  }

  async function move(action, label) {
    try {
      const moved = await kb("/articles/" + encodeURIComponent(current.id) + "/" + action, { method: "POST", json: { note: label } });
      toast(label + "：完成");
      await loadArticles();
      edit(moved);
    } catch (e) { toast(label + "失败：" + e.message); }
  }

  async function preview() {
    const q = document.getElementById("kb-q").value.trim();
    const box = document.getElementById("kb-results");
    box.textContent = "检索中…";
    let r;
    try { r = await kb("/search?q=" + encodeURIComponent(q)); } catch (e) { box.textContent = "检索失败：" + e.message; return; }
    box.textContent = "";
    if (r.answer) {
      box.append(el("div.decision.yes", { id: "kb-decision" }, el("strong", {}, "会直接答复：" + r.answer.title),
        el("div.muted", {}, "得分 " + r.answer.score.toFixed(3) + "（阈值 " + Number(r.threshold).toFixed(3) + "）"),
        el("p", {}, r.answer.answer)));
    } else {
      box.append(el("div.decision.no", { id: "kb-decision" }, el("strong", {}, "不会直接答复"),
        el("div.muted", {}, "最高分低于阈值 " + Number(r.threshold).toFixed(3) + "：转人工或开工单")));
    }
    const max = Math.max(1e-9, ...r.candidates.map((c) => c.score));
    box.append(el("table.candidates", { "aria-label": "检索结果" }, el("tbody", {}, r.candidates.map((c) =>
      el("tr", {}, el("td", {}, c.title), el("td", {}, el("div.bar", { role: "img", "aria-label": "得分 " + c.score.toFixed(3) }, el("span", { style: "width:" + Math.round((100 * c.score) / max) + "%" }))),
        el("td.mono", {}, c.score.toFixed(3)))))));
  }

  // -- review of agent corrections ---------------------------------------------------------------------
  async function loadReviews() {
    let items;
    try { items = await api("/api/training/corrections"); } catch (e) { toast("加载失败：" + e.message); return; }
    const pending = items.filter((i) => !i.review).length;
    document.getElementById("review-count").textContent = items.length + " 条，待审核 " + pending;
    const body = document.getElementById("review-list");
    body.textContent = "";
    for (const c of items) {
      const decided = c.review && c.review.decision;
      body.append(el("tr", { "data-key": c.key },
        el("td.review-text", {}, c.text),
        el("td", {}, el("span.muted", {}, (c.previous_intent || "") + " · " + (c.previous_category || "")), el("br"), "→ ", el("strong", {}, c.intent + " · " + (c.category || ""))),
        el("td", {}, c.agent, el("br"), el("span.mono.muted", {}, c.ticket || ""), el("br"), el("span.muted", {}, when(c.created))),
        el("td", {},
          decided ? el("span.badge." + (decided === "accepted" ? "green" : "red"), {}, decided === "accepted" ? "已采纳" : "未采纳") : el("span.badge.amber", {}, "待审核"), " ",
          el("button", { type: "button", "data-decision": "accepted", onclick: () => decide(c.key, "accepted"), disabled: decided === "accepted" }, "采纳"), " ",
          el("button.danger", { type: "button", "data-decision": "rejected", onclick: () => decide(c.key, "rejected"), disabled: decided === "rejected" }, "不采纳"))));
    }
    if (!items.length) body.append(el("tr", {}, el("td", { colspan: "4", class: "muted" }, "还没有坐席更正。")));
  }

  async function decide(key, decision) {
    try {
      await api("/api/training/corrections/" + key + "/review", { method: "POST", json: { decision: decision } });
      await loadReviews();
    } catch (e) { toast("审核失败：" + e.message); }
  }

  // -- train / evaluate / promote ----------------------------------------------------------------------
  async function loadModels() {
    let models;
    try { models = await api("/api/training/models"); } catch (e) { toast("加载失败：" + e.message); return; }
    const body = document.getElementById("model-list");
    body.textContent = "";
    for (const m of models.slice().reverse()) {
      const ev = m.eval || {};
      body.append(el("tr", { "data-version": m.version },
        el("td", {}, el("span.mono", {}, m.version), m.current ? [" ", el("span.badge.green", {}, "当前")] : ""),
        el("td", {}, when(m.created)), el("td", {}, m.examples ?? ""),
        el("td", {}, pct(ev.intent_accuracy)), el("td", {}, pct(ev.category_accuracy)), el("td", {}, pct(ev.emergency_recall)),
        el("td", {}, el("button", { type: "button", onclick: () => report(m.version) }, "评估报告"))));
    }
  }

  function setProgress(fraction, stage, failed) {
    const bar = document.getElementById("train-progress");
    bar.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
    bar.setAttribute("aria-valuetext", stage);
    bar.classList.toggle("failed", !!failed);
    bar.firstElementChild.style.width = Math.round(fraction * 100) + "%";
    document.getElementById("train-stage").textContent = stage + "（" + Math.round(fraction * 100) + "%）";
  }

  async function startTraining() {
    const button = document.getElementById("train");
    button.disabled = true;
    try {
      let job = await api("/api/training/jobs", { method: "POST", json: { backend: "builtin" } });
      setProgress(job.progress, job.stage);
      while (job.status === "running") {
        await new Promise((r) => setTimeout(r, 800));
        job = await api("/api/training/jobs/" + job.id);
        setProgress(job.progress, job.stage, job.status === "failed");
      }
      if (job.status === "failed") { setProgress(job.progress, "训练失败：" + job.error, true); return; }
      setProgress(1, "完成：新版本 " + job.result.version + "（并入 " + job.result.accepted_corrections + " 条已采纳更正）");
      await loadModels();
      await report(job.result.version);
    } catch (e) { toast("训练失败：" + e.message); } finally { button.disabled = false; }
  }

  function classTable(title, data) {
    const rows = Object.entries(data.per_class).sort((a, b) => a[1].f1 - b[1].f1);
    return el("div", {}, el("h3", {}, title),
      el("table.per-class", {}, el("thead", {}, el("tr", {}, ["类别", "精确率", "召回率", "F1", "样本"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, rows.map(([label, m]) => el("tr", {}, el("td", {}, label), el("td", {}, m.precision.toFixed(2)), el("td", {}, m.recall.toFixed(2)),
          el("td" + (m.f1 < 0.6 ? ".low" : ""), {}, m.f1.toFixed(2)), el("td", {}, m.support))))),
      el("h3", {}, title + "：混淆矩阵"),
      window.Charts.heatmap(data.confusion.labels, data.confusion.matrix, title + "混淆矩阵"));
  }

  async function report(version) {
    const box = document.getElementById("report");
    box.textContent = "评估中…";
    let r;
    try { r = await api("/api/training/models/" + encodeURIComponent(version) + "/evaluation"); } catch (e) { box.textContent = "评估失败：" + e.message; return; }
    const s = r.summary;
    const isCurrent = r.current === r.version;
    const verdict = isCurrent ? el("span.badge.green", {}, "当前模型")
      : r.verdict === "refused" ? el("span.badge.red", { id: "verdict" }, "不建议发布：" + r.reasons.join("；"))
      : el("span.badge.green", { id: "verdict" }, "可以发布（不差于当前模型）");
    box.textContent = "";
    box.append(el("h2", {}, "评估报告 ", el("span.mono", {}, r.version), " ", verdict),
      el("div.figures", {},
        [["留出集样本", s.n], ["诉求类型准确率", pct(s.intent_accuracy)], ["诉求类型 macro-F1", pct(s.intent_macro_f1)], ["分类准确率", pct(s.category_accuracy)],
          ["一级分类准确率", pct(s.category_l1_accuracy)], ["紧急召回", pct(s.emergency_recall)], ["低置信度占比", pct(s.low_confidence_share)]]
          .map(([k, v]) => el("div.figure", {}, el("span.muted", {}, k), el("b", {}, v)))),
      r.current_summary ? el("p.muted", {}, "当前模型 " + r.current + "：诉求类型 " + pct(r.current_summary.intent_accuracy) + "，分类 " + pct(r.current_summary.category_accuracy)) : "",
      isCurrent ? "" : el("p", {}, el("button.primary", { type: "button", id: "promote", disabled: r.verdict === "refused" && me.role !== "admin", onclick: () => promote(r.version, r.verdict === "refused") }, r.verdict === "refused" ? "仍然发布（管理员）" : "发布为当前模型")),
      el("div.report-grid", {}, classTable("诉求类型", r.appeal_type), classTable("一级分类", r.category_l1)));
  }

  async function promote(version, force) {
    try {
      await api("/api/training/models/" + encodeURIComponent(version) + "/promote", { method: "POST", json: { force: !!force } });
      toast("已发布：" + version + " 成为当前模型");
      await loadModels();
      await report(version);
    } catch (e) { toast("发布失败：" + e.message); }
  }
})();
