// 12345 citizen chat: WebSocket with reconnect and history, REST fallback when sockets are unavailable.
// Protocol (channels/web.py): out {type:"message", session_id, message_id, text}; in history / ack / reply / error.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const statusEl = document.getElementById("status");
  const base = (document.currentScript && document.currentScript.dataset.base) || "";
  const params = new URLSearchParams(location.search);
  const embedded = params.get("embed") === "1" && window.parent !== window;
  if (embedded) {
    document.documentElement.classList.add("embed");
    // Escape inside the frame never reaches the host page: ask the widget script to close the panel.
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") window.parent.postMessage({ type: "hotline12345:close" }, "*"); });
  }
  const sessionKey = "hotline.session";
  let sessionId = localStorage.getItem(sessionKey);
  if (!sessionId) {
    sessionId = "s-" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    localStorage.setItem(sessionKey, sessionId);
  }
  let socket = null;
  let retry = 0;
  let pinger = null;
  const waiting = new Map();  // client message id -> typing bubble
  const shown = new Set();    // reply keys already on screen (replays after reconnect are ignored)
  const answered = new Set(); // client message ids whose first (non-pending) reply is on screen

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function bubble(cls, text) {
    const li = document.createElement("li");
    li.className = "bubble " + cls;
    if (text !== undefined) li.textContent = text;
    log.appendChild(li);
    scrollDown();
    return li;
  }

  function typing() {
    const li = bubble("bot");
    li.setAttribute("aria-label", "正在处理您的留言");
    const dots = document.createElement("span");
    dots.className = "typing";
    dots.innerHTML = "<span></span><span></span><span></span>";
    li.appendChild(dots);
    return li;
  }

  function setStatus(text, online) {
    statusEl.textContent = text;
    statusEl.classList.toggle("online", online);
  }

  function emergencyBubble(reply, emergency) {
    const li = bubble("bot emergency");
    li.setAttribute("role", "alert");
    const alarm = document.createElement("span");
    alarm.className = "alarm";
    alarm.textContent = "⚠ 紧急情况";
    li.appendChild(alarm);
    li.appendChild(document.createTextNode(reply.text));
    const services = (emergency && emergency.services) || reply.buttons || [];
    if (services.length) {
      const call = document.createElement("div");
      call.className = "call";
      for (const number of services) {
        const a = document.createElement("a");
        a.href = "tel:" + number;
        a.textContent = "☎ 立即拨打 " + number;
        call.appendChild(a);
      }
      li.appendChild(call);
    }
    return li;
  }

  function ticketBox(order) {
    const box = document.createElement("span");
    box.className = "ticket";
    const label = document.createElement("small");
    label.textContent = "您的工单号（请保存，查询进度时使用）";
    const number = document.createElement("strong");
    number.textContent = order.ticket;
    box.append(label, number);
    const parts = [order.department && "承办：" + order.department, order.deadline && "办理时限：" + order.deadline];
    if (parts.some(Boolean)) {
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = parts.filter(Boolean).join("　");
      box.appendChild(meta);
    }
    return box;
  }

  function quickReplies(labels) {
    const box = document.createElement("div");
    box.className = "buttons";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "快捷回复");
    for (const label of labels) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", () => {
        for (const other of box.querySelectorAll("button")) other.disabled = true;
        send(label);
      });
      box.appendChild(b);
    }
    return box;
  }

  function showReplies(data) {
    const texts = (data.replies || []).map((r) => r.text).join("|");
    // Later pushes for an answered message (an agent's reply, the 办结 notice) reuse the citizen's message
    // id: they are told apart from replays by their text.
    const later = answered.has(data.message_id) || /:(reply|completed)$/.test(String(data.message_id || ""));
    const key = data.message_id + (data.pending ? ":pending" : "") + (later ? ":" + texts : "");
    if (shown.has(key)) return;
    shown.add(key);
    if (!data.pending) answered.add(data.message_id);
    const agentReply = later;
    const typingEl = waiting.get(data.message_id);
    if (typingEl && !data.pending) { typingEl.remove(); waiting.delete(data.message_id); }
    for (const reply of data.replies || []) {
      if (reply.kind === "emergency") { emergencyBubble(reply, data.emergency); continue; }
      const li = bubble(agentReply ? "bot agent" : "bot");
      if (agentReply) {
        const who = document.createElement("span");
        who.className = "who";
        who.textContent = "12345 工作人员回复" + (data.work_order ? "（工单 " + data.work_order.ticket + "）" : "");
        li.appendChild(who);
      }
      li.appendChild(document.createTextNode(reply.text));
      if (reply.kind === "ticket" && data.work_order) li.appendChild(ticketBox(data.work_order));
      if (reply.buttons && reply.buttons.length) li.appendChild(quickReplies(reply.buttons));
    }
    if (typingEl && data.pending) log.appendChild(typingEl);  // keep the indicator last while we wait
    scrollDown();
  }

  function showHistory(messages) {
    log.textContent = "";
    answered.clear();
    for (const m of messages) {
      // An agent's reply or the 办结 notice: shown as the live push showed it (ids end in ":reply"/":completed").
      if (m.from === "agent" || m.from === "department") { showReplies(m); continue; }
      shown.add(m.message_id);
      bubble("me", m.text);
      if ((m.replies || []).length) {
        showReplies(Object.assign({}, m, { message_id: m.message_id + ":history" }));
        if (!m.pending) answered.add(m.message_id);
      }
      else if (!waiting.has(m.message_id)) waiting.set(m.message_id, typing());
    }
  }

  function connect() {
    const proto = (base ? base.startsWith("https:") : location.protocol === "https:") ? "wss" : "ws";
    const host = base ? base.replace(/^https?:\/\//, "").replace(/\/$/, "") : location.host;
    try {
      socket = new WebSocket(proto + "://" + host + "/channels/web/ws?session_id=" + encodeURIComponent(sessionId));
    } catch (e) { socket = null; setStatus("离线（将以普通方式发送）", false); return; }
    socket.onopen = () => {
      retry = 0;
      setStatus("在线", true);
      clearInterval(pinger);
      pinger = setInterval(() => { if (socket && socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}'); }, 25000);
    };
    socket.onclose = () => {
      clearInterval(pinger);
      setStatus("重新连接中…", false);
      socket = null;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * 2 ** retry);
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "history") showHistory(frame.messages || []);
      else if (frame.type === "reply") showReplies(frame);
      else if (frame.type === "error") bubble("bot failed", "消息未能发送：" + frame.detail);
    };
  }

  async function send(text) {
    const messageId = "m-" + Date.now() + "-" + Math.random().toString(16).slice(2, 8);
    bubble("me", text);
    waiting.set(messageId, typing());
    const payload = { type: "message", session_id: sessionId, message_id: messageId, text: text };
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload));
      return;
    }
    delete payload.type;
    try {
      const response = await fetch(base + "/channels/web/messages", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
      });
      const data = await response.json();
      if (!response.ok) throw new Error((data.error && data.error.detail) || response.status);
      showReplies(data);
    } catch (e) {
      const typingEl = waiting.get(messageId);
      if (typingEl) {
        typingEl.className = "bubble bot failed";
        typingEl.textContent = "发送失败，请稍后重试（" + e.message + "）";
        waiting.delete(messageId);
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  connect();
})();
