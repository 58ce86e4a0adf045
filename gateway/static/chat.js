// 12345 chat widget: WebSocket with reconnect and history, REST fallback when sockets are unavailable.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const statusEl = document.getElementById("status");
  const base = (document.currentScript && document.currentScript.dataset.base) || "";
  const sessionKey = "hotline.session";
  let sessionId = localStorage.getItem(sessionKey);
  if (!sessionId) {
    sessionId = "s-" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    localStorage.setItem(sessionKey, sessionId);
  }
  let socket = null;
  let retry = 0;
  const waiting = new Map();
  const shown = new Set();

  function bubble(cls, text) {
    const li = document.createElement("li");
    li.className = "bubble " + cls;
    li.textContent = text;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function showReplies(data) {
    const key = data.message_id + (data.pending ? ":pending" : "");
    if (shown.has(key)) return;
    shown.add(key);
    const typing = waiting.get(data.message_id);
    if (typing) { typing.remove(); waiting.delete(data.message_id); }
    for (const reply of data.replies || []) {
      const li = bubble(reply.kind === "emergency" ? "bot emergency" : "bot", reply.text);
      if (reply.kind === "emergency" && data.emergency) {
        li.setAttribute("role", "alert");
        for (const number of data.emergency.services) {
          const a = document.createElement("a");
          a.href = "tel:" + number;
          a.textContent = "☎ 拨打 " + number;
          li.appendChild(a);
        }
      }
      if (reply.kind === "ticket" && data.work_order) {
        const t = document.createElement("span");
        t.className = "ticket";
        t.textContent = "工单号 " + data.work_order.ticket;
        li.appendChild(t);
      }
      if (reply.buttons && reply.buttons.length && reply.kind !== "emergency") {
        const box = document.createElement("div");
        box.className = "buttons";
        for (const label of reply.buttons) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = label;
          b.addEventListener("click", () => send(label));
          box.appendChild(b);
        }
        li.appendChild(box);
      }
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const host = base ? base.replace(/^https?:\/\//, "") : location.host;
    try {
      socket = new WebSocket(proto + "://" + host + "/channels/web/ws?session_id=" + encodeURIComponent(sessionId));
    } catch (e) { socket = null; return; }
    socket.onopen = () => { retry = 0; statusEl.textContent = "在线"; };
    socket.onclose = () => {
      statusEl.textContent = "重新连接中…";
      socket = null;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * 2 ** retry);
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "history") {
        log.textContent = "";
        for (const m of frame.messages) {
          shown.add(m.message_id);
          bubble("me", m.text);
          showReplies(Object.assign({}, m, { message_id: m.message_id + ":history" }));
        }
      } else if (frame.type === "reply") {
        showReplies(frame);
      } else if (frame.type === "error") {
        bubble("bot", "消息未能发送：" + frame.detail);
      }
    };
  }

  async function send(text) {
    const messageId = "m-" + Date.now() + "-" + Math.random().toString(16).slice(2, 8);
    bubble("me", text);
    waiting.set(messageId, bubble("bot typing", "正在处理…"));
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
      const typing = waiting.get(messageId);
      if (typing) typing.textContent = "发送失败，请稍后重试（" + e.message + "）";
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
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  connect();
})();
