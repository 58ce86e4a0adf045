// Shared helpers of the staff pages: sign-in (token in sessionStorage), JSON calls, SSE over fetch, DOM.
window.Staff = (function () {
  "use strict";
  const KEY = "hotline.staff";

  function session() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  async function signIn(username, password) {
    const body = new URLSearchParams({ username: username, password: password });
    const response = await fetch("/api/auth/token", { method: "POST", body: body });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(errorText(data, response.status));
    const s = { token: data.access_token, user: data.user };
    sessionStorage.setItem(KEY, JSON.stringify(s));
    return s;
  }

  function signOut() { sessionStorage.removeItem(KEY); location.reload(); }

  function errorText(data, status) {
    const e = data && (data.error || data.detail);
    if (e && typeof e === "object") return (e.code ? e.code + "：" : "") + (e.detail || e.message || JSON.stringify(e));
    if (typeof e === "string") return e;
    return "HTTP " + status;
  }

  // JSON call with the signed-in bearer token (or `token` given); a 401 signs out.
  async function api(path, options) {
    const opts = Object.assign({ method: "GET" }, options || {});
    const headers = Object.assign({}, opts.headers || {});
    const token = opts.token || (session() && session().token);
    if (token) headers.Authorization = "Bearer " + token;
    let body = opts.body;
    if (opts.json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(opts.json); }
    const response = await fetch(path, { method: opts.method, headers: headers, body: body });
    const data = await response.json().catch(() => null);
    if (response.status === 401 && !opts.token) { sessionStorage.removeItem(KEY); }
    if (!response.ok) { const err = new Error(errorText(data, response.status)); err.status = response.status; throw err; }
    return data;
  }

  // Server-sent events with an Authorization header (EventSource cannot send one): a streaming fetch.
  function events(path, onEvent, onState) {
    let stopped = false;
    let controller = null;
    async function run() {
      while (!stopped) {
        controller = new AbortController();
        try {
          const s = session();
          const response = await fetch(path, { headers: { Authorization: "Bearer " + (s && s.token) }, signal: controller.signal });
          if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
          onState(true);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              let name = "message";
              const data = [];
              for (const line of block.split("\n")) {
                if (line.startsWith("event:")) name = line.slice(6).trim();
                else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
              }
              if (data.length) { try { onEvent(name, JSON.parse(data.join("\n"))); } catch (e) { /* not JSON: ignore */ } }
            }
          }
        } catch (e) { /* dropped: retry below */ }
        onState(false);
        if (!stopped) await new Promise((r) => setTimeout(r, 3000));
      }
    }
    run();
    return () => { stopped = true; if (controller) controller.abort(); };
  }

  // el("div.cls", {attr: v}, child, "text", ...)
  function el(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split(".");
    const node = document.createElement(tag || "div");
    if (classes.length) node.className = classes.join(" ");
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  let toastTimer = null;
  function toast(text) {
    let t = document.getElementById("toast");
    if (!t) { t = el("div.toast", { id: "toast", role: "status" }); document.body.appendChild(t); }
    t.textContent = text;
    t.classList.remove("hidden");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.add("hidden"), 3500);
  }

  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function when(iso) { if (!iso) return ""; const d = new Date(iso); return d.toLocaleString("zh-CN", { hour12: false }); }

  // The sign-in form of a page: resolves with the session once signed in with one of `roles`.
  function requireSignIn(roles, onReady) {
    const form = document.getElementById("login");
    const app = document.getElementById("app");
    const err = document.getElementById("login-error");
    function ready(s) {
      form.classList.add("hidden");
      app.classList.remove("hidden");
      const who = document.getElementById("who-name");
      if (who) who.textContent = (s.user.display_name || s.user.username) + "（" + s.user.role + "）";
      onReady(s);
    }
    const out = document.getElementById("sign-out");
    if (out) out.addEventListener("click", signOut);
    const existing = session();
    if (existing && roles.includes(existing.user.role)) { ready(existing); return; }
    form.classList.remove("hidden");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.textContent = "";
      try {
        const s = await signIn(form.username.value.trim(), form.password.value);
        if (!roles.includes(s.user.role)) { sessionStorage.removeItem(KEY); throw new Error("此账号的角色（" + s.user.role + "）不能使用本页面"); }
        ready(s);
      } catch (x) { err.textContent = "登录失败：" + x.message; }
    });
  }

  return { session, signIn, signOut, api, events, el, toast, pct, when, requireSignIn };
})();
