// Operations dashboard: volumes by channel and category per day, emergency referrals, self-service answer
// rate, on-time completion, satisfaction and the open queue, from GET /api/dashboard.
(function () {
  "use strict";
  const { api, el, toast, pct } = window.Staff;
  const CHANNELS = { web: "网页", wechat_oa: "公众号", miniprogram: "小程序", sms: "短信", mailbox: "信箱", phone: "电话", api: "接口" };

  window.Staff.requireSignIn(["supervisor", "admin", "maintainer"], () => {
    const form = document.getElementById("period");
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    load();
    setInterval(load, 60000);  // a wall display stays current
  });

  function renamed(series) {
    const out = {};
    for (const [k, v] of Object.entries(series)) out[CHANNELS[k] || k] = v;
    return out;
  }

  async function load() {
    const form = document.getElementById("period");
    const q = new URLSearchParams();
    if (form.from.value) q.set("from", form.from.value);
    if (form.to.value) q.set("to", form.to.value);
    let d;
    try { d = await api("/api/dashboard?" + q.toString()); } catch (e) { toast("加载失败：" + e.message); return; }
    form.from.value = d.period.from;
    form.to.value = d.period.to;
    document.getElementById("as-of").textContent = "统计截至 " + d.period.as_of;
    const t = d.totals;
    const kpi = (label, value, sub, alert) => el("div.kpi" + (alert ? ".alert" : ""), {}, el("span", {}, label), el("b", {}, value), sub ? el("small", {}, sub) : "");
    const kpis = document.getElementById("kpis");
    kpis.textContent = "";
    kpis.append(
      kpi("来信", t.messages.total, t.messages.conversations + " 个会话"),
      kpi("工单", t.work_orders.total, "重复件 " + t.work_orders.duplicates),
      kpi("紧急转接", t.emergency_referrals.total, Object.entries(t.emergency_referrals.by_service).map(([k, v]) => k + "：" + v).join("　"), t.emergency_referrals.total > 0),
      kpi("自助答复率", pct(t.self_service.rate), t.self_service.answered_without_work_order + " 个会话由知识库解答"),
      kpi("按时办结率", pct(t.on_time_completion.rate), "应办结 " + t.on_time_completion.due),
      kpi("满意率", pct(t.satisfaction.rate), "已评价 " + t.satisfaction.rated),
      kpi("待办队列", d.queue.total, "超期 " + d.queue.overdue, d.queue.overdue > 0));
    const s = d.series;
    const put = (id, node) => { const box = document.getElementById(id); box.textContent = ""; box.append(node); };
    put("chart-channels", window.Charts.stackedBars(s.days, renamed(s.messages_by_channel), "各渠道来信量"));
    put("chart-categories", window.Charts.stackedBars(s.days, s.orders_by_category, "各类工单量"));
    put("chart-emergencies", window.Charts.stackedBars(s.days, { "紧急转接": s.emergency_referrals }, "紧急警情转接"));
    put("chart-rates", window.Charts.lines(s.days, { "自助答复率": s.self_service_rate, "按时办结率": s.on_time_rate, "满意率": s.satisfaction_rate }, "每日比率"));
    const max = Math.max(1, ...Object.values(d.queue.by_status));
    put("chart-queue", el("div", { role: "list", "aria-label": "待办队列" }, Object.entries(d.queue.by_status).map(([k, v]) =>
      el("div.hbar", { role: "listitem" }, el("span", {}, k), el("div.bar", {}, el("span", { style: "width:" + Math.round((100 * v) / max) + "%" })), el("b", {}, v))),
      Object.keys(d.queue.by_status).length ? "" : el("p.muted", {}, "没有待办工单")));
  }
})();
