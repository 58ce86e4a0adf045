// Agent console: queue with filters and live updates (SSE), one work order with its conversation,
// the classifier's reading, one-click category correction, dispatch, reply to the citizen, transitions.
(function () {
  "use strict";
  const { api, events, el, toast, pct, when } = window.Staff;
  const ROLES = ["agent", "supervisor", "admin", "department"];
  const CHANNELS = { web: "网页", wechat_oa: "公众号", miniprogram: "小程序", sms: "短信", mailbox: "信箱", phone: "电话", api: "接口" };
  const ACTIONS = {
    sign: "签收", start: "办理", complete: "办结", resolve: "直接办结", return: "退单", approve: "审核通过",
    reject: "审核不通过", callback: "回访", archive: "归档", request_extension: "申请延期", approve_extension: "批准延期",
    reject_extension: "驳回延期", supervise: "督办", warn: "预警", rate: "记录评价",
  };
  const DETAIL_NAMES = {
    location: "地点", time: "时间", contact: "联系电话", employer: "用人单位", amount: "金额", organisation: "涉及单位",
    hospital: "医院", vehicle: "车辆", school: "学校", order_number: "订单号", person: "当事人",
  };
  const ENTITY_NAMES = { person: "姓名", phone: "电话", address: "地址", datetime: "时间", id_number: "证件号" };
  let catalogue = null;
  let selected = null;
  let me = null;
  let reloadTimer = null;
  const fresh = new Set();

  window.Staff.requireSignIn(ROLES, async (s) => {
    me = s.user;
    catalogue = await api("/api/catalogue").catch(() => ({ appeal_types: [], categories: [] }));
    const sel = document.getElementById("f-category");
    for (const c of catalogue.categories) sel.append(el("option", { value: c.l1, text: c.l1 }));
    document.getElementById("filters").addEventListener("change", loadQueue);
    await loadQueue();
    events("/api/events", onEvent, (on) => {
      const live = document.getElementById("live");
      live.textContent = on ? "实时更新" : "重新连接中…";
      live.classList.toggle("on", on);
    });
  });

  function onEvent(name, data) {
    if (name === "alert" && data.type === "emergency") { emergencyAlert(data); return; }
    if (name === "alert" && data.type === "handoff") { toast("有市民请求人工服务（" + (CHANNELS[data.channel] || data.channel) + "）"); return; }
    if (name !== "work_order") return;
    if (data.ticket) fresh.add(data.ticket);
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(loadQueue, 150);  // a burst of changes reloads once
    if (selected && data.ticket === selected && data.actor !== me.username) openOrder(selected, true);
  }

  function emergencyAlert(data) {
    const box = document.getElementById("alerts");
    const banner = el("div.alert-banner", { role: "alert" },
      "⚠ 紧急警情：已提示市民拨打 " + (data.services || []).join(" / ") + (data.evidence ? "（" + data.evidence + "）" : ""),
      el("button", { type: "button", onclick: () => banner.remove() }, "知道了"));
    box.prepend(banner);
  }

  function filterQuery() {
    const f = document.getElementById("filters");
    const q = new URLSearchParams();
    if (f.status.value) q.append("status", f.status.value);
    if (f.category.value) q.set("category", f.category.value);
    if (f.channel.value) q.set("channel", f.channel.value);
    if (f.overdue.checked) q.set("overdue", "true");
    if (f.mine.checked) q.set("assignee", "me");
    q.set("limit", "100");
    return q.toString();
  }

  function statusBadge(order) {
    const cls = order.overdue ? "red" : ["办结", "审核", "回访", "归档"].includes(order.status) ? "green" : order.status === "退单" ? "amber" : "blue";
    return el("span.badge." + cls, {}, order.status + (order.overdue ? " · 超期" : ""));
  }

  async function loadQueue() {
    let data;
    try { data = await api("/api/queue?" + filterQuery()); } catch (e) { toast("队列加载失败：" + e.message); return; }
    document.getElementById("queue-total").textContent = data.total + " 张";
    const body = document.getElementById("queue");
    body.textContent = "";
    for (const o of data.items) {
      const row = el("tr.row", { tabindex: "0", "data-ticket": o.ticket, "aria-selected": String(o.ticket === selected) },
        el("td", {}, el("span.mono", {}, o.ticket), el("span.sub", {}, when(o.created_at) + " · " + (CHANNELS[o.channel] || o.channel))),
        el("td", {}, o.appeal_type, el("span.sub", {}, o.category_l1 + (o.category_l2 ? " / " + o.category_l2 : ""))),
        el("td", {}, o.department, o.assignee ? el("span.sub", {}, "坐席：" + o.assignee) : null),
        el("td", {}, statusBadge(o)),
        el("td", {}, o.deadline));
      if (o.ticket === selected) row.classList.add("selected");
      if (fresh.has(o.ticket)) { row.classList.add("fresh"); fresh.delete(o.ticket); }
      row.addEventListener("click", () => openOrder(o.ticket));
      row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openOrder(o.ticket); } });
      body.append(row);
    }
    if (!data.items.length) body.append(el("tr", {}, el("td", { colspan: "5", class: "muted" }, "没有符合条件的工单")));
  }

  function highlight(text, entities) {
    // Mark each entity where its text occurs; masked values (not in the text) stay unmarked.
    const spans = [];
    for (const e of entities || []) {
      if (!e.text) continue;
      let from = 0, at;
      while ((at = text.indexOf(e.text, from)) >= 0) {
        if (!spans.some((s) => at < s.end && at + e.text.length > s.start)) spans.push({ start: at, end: at + e.text.length, type: e.type });
        from = at + e.text.length;
      }
    }
    spans.sort((a, b) => a.start - b.start);
    const out = [];
    let pos = 0;
    for (const s of spans) {
      out.push(text.slice(pos, s.start));
      const known = ENTITY_NAMES[s.type] ? s.type : "other";
      out.push(el("mark.e-" + known, { title: ENTITY_NAMES[s.type] || s.type }, text.slice(s.start, s.end)));
      pos = s.end;
    }
    out.push(text.slice(pos));
    return out;
  }

  function bar(confidence, low) {
    return el("div.bar" + (low ? ".low" : ""), { role: "img", "aria-label": "置信度 " + pct(confidence) },
      el("span", { style: "width:" + Math.round(confidence * 100) + "%" }));
  }

  async function openOrder(ticket, quiet) {
    selected = ticket;
    for (const r of document.querySelectorAll("#queue tr.row")) r.classList.toggle("selected", r.dataset.ticket === ticket);
    const box = document.getElementById("detail");
    if (!quiet) box.textContent = "加载中…";
    let detail, convo, clf;
    try {
      [detail, convo, clf] = await Promise.all([
        api("/api/workorders/" + encodeURIComponent(ticket)),
        api("/api/workorders/" + encodeURIComponent(ticket) + "/conversation"),
        api("/api/workorders/" + encodeURIComponent(ticket) + "/classification").catch(() => null),
      ]);
    } catch (e) { box.textContent = "工单加载失败：" + e.message; return; }
    renderOrder(box, detail, convo, clf);
  }

  function renderOrder(box, detail, convo, clf) {
    const o = detail.order;
    const actions = detail.actions || [];
    box.textContent = "";
    box.append(el("header", {},
      el("h2", {}, el("span.mono", { id: "order-ticket" }, o.ticket)), statusBadge(o),
      o.duplicate_of ? el("span.badge.amber", {}, "疑似重复：" + o.duplicate_of) : null,
      o.confidential ? el("span.badge.red", {}, "保密") : null,
      o.assignee ? el("span.badge", {}, "坐席 " + o.assignee) : el("button", { type: "button", onclick: () => act("/claim", {}, "已认领") }, "认领")));

    const details = Object.entries(o.details || {}).map(([k, v]) => (DETAIL_NAMES[k] || k) + "：" + v).join("；");
    box.append(el("dl.facts", { "aria-label": "工单信息" },
      el("dt", {}, "诉求类型"), el("dd", { id: "order-appeal" }, o.appeal_type),
      el("dt", {}, "分类"), el("dd", { id: "order-category" }, o.category_l1 + " / " + (o.category_l2 || "—")),
      el("dt", {}, "承办单位"), el("dd", { id: "order-department" }, o.department),
      el("dt", {}, "办理时限"), el("dd", {}, o.deadline + (o.overdue ? "（已超期）" : "")),
      el("dt", {}, "渠道"), el("dd", {}, CHANNELS[o.channel] || o.channel),
      el("dt", {}, "联系电话"), el("dd", { id: "order-contact" }, o.contact || "—"),
      details ? el("dt", {}, "补充信息") : null, details ? el("dd", {}, details) : null));

    const left = el("div");
    left.append(el("h3", {}, "诉求内容"),
      el("p.description", { id: "order-text" }, highlight(o.description, convo.masked ? [] : o.entities)),
      el("p.legend.muted", {}, "标注：", Object.entries(ENTITY_NAMES).map(([k, v]) => [el("mark.e-" + k, {}, v), " "])),
      convo.masked ? el("p.muted", {}, "市民要求保密：个人信息已隐去。") : "");
    left.append(el("h3", {}, "对话记录"), conversation(convo, detail.notes));
    left.append(el("h3", {}, "答复市民"), replyForm(o));

    const right = el("div");
    right.append(el("h3", {}, "智能分类（可一键更正）"), classification(o, clf));
    if (actions.includes("dispatch")) right.append(el("h3", {}, "派单"), dispatchForm(o));
    const others = actions.filter((a) => a !== "dispatch" && ACTIONS[a]);
    if (others.length) right.append(el("h3", {}, "流转"), transitionForm(others));
    right.append(el("h3", {}, "处理记录"), el("ul.history", {}, (detail.history || []).map((h) =>
      el("li", {}, when(h.at) + " " + (h.actor || "") + " " + eventName(h.kind)))));
    box.append(el("div.cols", {}, left, right));
    const convoList = document.getElementById("conversation");
    convoList.scrollTop = convoList.scrollHeight;  // the latest message first in view
  }

  function eventName(kind) {
    const k = String(kind || "").replace(/^work_order\./, "");
    const names = { created: "受理", claimed: "认领", reclassified: "更正分类", dispatch: "派单", utility_referral: "转公共事业单位", duplicate_linked: "关联重复件",
      place_recorded: "记录地点", note: "备注", reply: "答复市民", updated: "补充信息" };
    return names[k] || ACTIONS[k] || k;
  }

  function conversation(convo, notes) {
    const items = [];
    for (const m of convo.messages) {
      items.push({ at: m.at, node: el("li.citizen" + (m.this_order ? ".this" : ""), {}, el("small", {}, "市民 · " + when(m.at)), m.text) });
      for (const r of m.replies) items.push({ at: m.at, node: el("li." + (r.kind === "emergency" ? "emergency" : "bot"), {}, el("small", {}, "自动回复"), r.text) });
    }
    for (const n of notes || []) {
      if (n.kind !== "reply") continue;
      items.push({ at: n.at, node: el("li.agent", {}, el("small", {}, "坐席 " + n.author + " · " + when(n.at)), n.text) });
    }
    items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return el("ol.convo", { id: "conversation", "aria-label": "对话记录" }, items.map((i) => i.node));
  }

  function replyForm(o) {
    const form = el("form", { "aria-label": "答复市民" });
    const text = el("textarea", { id: "reply-text", rows: "3", required: true, "aria-label": "答复内容", placeholder: "回复将通过市民来信的渠道发送" });
    form.append(text, el("button.primary", { type: "submit", id: "reply-send" }, "发送给市民"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      await act("/reply", { text: text.value.trim() }, "已发送给市民");
    });
    return form;
  }

  function classification(o, clf) {
    const wrap = el("div.clf");
    if (clf) {
      wrap.append(el("p", {}, "模型判断：", el("strong", {}, clf.appeal_type || "—"), " · ",
        el("strong", {}, (clf.category_l1 || "—") + " / " + (clf.category_l2 || "—")), " ",
        clf.low_confidence ? el("span.badge.amber", {}, "置信度低，请核对") : el("span.badge.green", {}, "置信度高"),
        el("span.muted", {}, "　模型 " + (clf.model_version || ""))));
      const rows = clf.alternatives.map((a) => {
        const current = a.category_l1 === o.category_l1 && a.category_l2 === o.category_l2;
        return el("tr" + (current ? ".current" : ""), {},
          el("td", {}, a.category_l1 + " / " + a.category_l2), el("td", {}, bar(a.confidence, a.confidence < 0.5)),
          el("td.mono", {}, pct(a.confidence)), el("td.muted", {}, a.department || ""),
          el("td", {}, current ? el("span.badge", {}, "当前") : el("button", {
            type: "button", "data-category": a.category_l1 + "/" + a.category_l2,
            "aria-label": "更正为 " + a.category_l1 + " / " + a.category_l2,
            onclick: () => reclassify(o.appeal_type, a.category_l1, a.category_l2),
          }, "改为此类")));
      });
      wrap.append(el("table", { "aria-label": "分类候选" }, el("tbody", {}, rows)));
      const intents = (clf.intent_ranking || []).slice(0, 3).map((i) => i.intent + " " + pct(i.confidence)).join("　");
      if (intents) wrap.append(el("p.muted", {}, "诉求类型候选：" + intents));
    }
    // Any other category from the catalogue (集成事项清单).
    const type = el("select", { id: "fix-type", "aria-label": "诉求类型" }, (catalogue.appeal_types || []).map((t) => el("option", { selected: t === o.appeal_type }, t)));
    const l1 = el("select", { id: "fix-l1", "aria-label": "一级分类" }, catalogue.categories.map((c) => el("option", { selected: c.l1 === o.category_l1 }, c.l1)));
    const l2 = el("select", { id: "fix-l2", "aria-label": "二级分类" });
    function fillL2() {
      l2.textContent = "";
      const entry = catalogue.categories.find((c) => c.l1 === l1.value);
      for (const x of (entry ? entry.l2 : [])) l2.append(el("option", { value: x.l2, selected: x.l2 === o.category_l2 }, x.l2 + "（" + x.department + "）"));
    }
    l1.addEventListener("change", fillL2);
    fillL2();
    wrap.append(el("div.row-form", {}, type, l1, l2,
      el("button", { type: "button", id: "fix-save", onclick: () => reclassify(type.value, l1.value, l2.value) }, "更正分类")));
    wrap.append(el("p.muted", {}, "更正会记入训练数据，供维护人员审核后用于重新训练。"));
    return wrap;
  }

  async function reclassify(appealType, l1, l2) {
    await act("/reclassify", { appeal_type: appealType, category_l1: l1, category_l2: l2 }, "已更正分类：" + l1 + " / " + l2);
  }

  function dispatchForm(o) {
    const dept = el("input", { id: "dispatch-department", value: o.department, "aria-label": "承办单位" });
    const note = el("input", { id: "dispatch-note", placeholder: "派单说明（可选）", "aria-label": "派单说明" });
    return el("div.row-form", {}, dept, note, el("button.primary", {
      type: "button", id: "dispatch", onclick: () => act("/dispatch", { department: dept.value.trim() || null, note: note.value.trim() || null }, "已派单"),
    }, "派单"));
  }

  function transitionForm(actions) {
    const text = el("textarea", { id: "transition-text", rows: "2", "aria-label": "说明 / 答复 / 理由", placeholder: "说明、办结答复或退单理由" });
    const days = el("input", { type: "number", min: "1", max: "60", id: "transition-days", "aria-label": "延期天数", placeholder: "延期天数", style: "width:8em" });
    const rating = el("select", { id: "transition-rating", "aria-label": "评价" }, ["非常满意", "满意", "基本满意", "不满意", "非常不满意"].map((r) => el("option", {}, r)));
    const buttons = actions.map((a) => el("button", { type: "button", "data-action": a, onclick: () => {
      const v = text.value.trim() || null;
      const body = { action: a, note: v };
      if (a === "complete" || a === "resolve") body.reply = v;
      if (["return", "reject", "request_extension", "reject_extension", "supervise", "warn"].includes(a)) body.reason = v;
      if (a === "request_extension") body.days = Number(days.value) || null;
      if (a === "rate") body.rating = rating.value;
      act("/transitions", body, ACTIONS[a] + "：完成");
    } }, ACTIONS[a]));
    return el("div", {}, text, el("div.row-form", {}, days, rating), el("div.actions", {}, buttons));
  }

  async function act(path, body, done) {
    try {
      await api("/api/workorders/" + encodeURIComponent(selected) + path, { method: "POST", json: body });
      toast(done);
      await Promise.all([openOrder(selected, true), loadQueue()]);
    } catch (e) { toast("操作失败：" + e.message); }
  }
})();
