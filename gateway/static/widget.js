// Embeddable 12345 chat: <script src="https://hotline.example.gov.cn/widget.js" data-base="https://hotline.example.gov.cn" defer></script>
// Adds a floating button; the chat opens in a panel that frames the gateway's own chat page, so the host
// site's CSS and scripts never touch it and the WebSocket stays same-origin with the gateway.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__hotline12345Widget) return;
  window.__hotline12345Widget = true;
  const base = (script.dataset.base || new URL(script.src, location.href).origin).replace(/\/$/, "");
  const label = script.dataset.label || "12345 在线留言";
  const side = script.dataset.position === "left" ? "left" : "right";

  const style = document.createElement("style");
  style.textContent = [
    ".hl12345-btn{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;display:flex;align-items:center;gap:6px;",
    "padding:12px 18px;min-height:48px;border:0;border-radius:28px;background:#b3261e;color:#fff;font:600 16px/1.2 system-ui,'PingFang SC','Microsoft YaHei',sans-serif;",
    "box-shadow:0 4px 14px rgba(0,0,0,.3);cursor:pointer}",
    ".hl12345-btn:focus-visible{outline:3px solid #0b57d0;outline-offset:3px}",
    ".hl12345-panel{position:fixed;bottom:84px;" + side + ":20px;z-index:2147483000;width:380px;height:600px;max-height:calc(100vh - 104px);",
    "background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.35);overflow:hidden;display:none;flex-direction:column}",
    ".hl12345-panel.open{display:flex}",
    ".hl12345-bar{display:flex;justify-content:flex-end;background:#8c1d18}",
    ".hl12345-close{border:0;background:transparent;color:#fff;font:600 14px system-ui,sans-serif;padding:6px 12px;cursor:pointer;min-height:32px}",
    ".hl12345-close:focus-visible{outline:2px solid #ffd54f}",
    ".hl12345-panel iframe{flex:1;border:0;width:100%}",
    "@media (max-width:480px){.hl12345-panel{left:0;right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}}",
  ].join("");
  document.head.appendChild(style);

  const button = document.createElement("button");
  button.type = "button";
  button.className = "hl12345-btn";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "hl12345-panel");
  // An inline icon: emoji fonts are not everywhere.
  button.innerHTML = '<svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="currentColor">' +
    '<path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';
  button.appendChild(document.createTextNode(label));

  const panel = document.createElement("div");
  panel.id = "hl12345-panel";
  panel.className = "hl12345-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  const bar = document.createElement("div");
  bar.className = "hl12345-bar";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "hl12345-close";
  close.textContent = "收起 ✕";
  bar.appendChild(close);
  panel.appendChild(bar);
  let frame = null;

  function open() {
    if (!frame) {  // loaded on first open: the host page pays nothing until a citizen asks
      frame = document.createElement("iframe");
      frame.title = label;
      frame.src = base + "/?embed=1";
      frame.allow = "clipboard-write";
      panel.appendChild(frame);
    }
    panel.classList.add("open");
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function hide() {
    panel.classList.remove("open");
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", () => (panel.classList.contains("open") ? hide() : open()));
  close.addEventListener("click", hide);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && panel.classList.contains("open")) hide(); });
  // The chat frame asks to close on Escape (keys inside the frame never reach this page).
  window.addEventListener("message", (e) => {
    if (frame && e.source === frame.contentWindow && e.origin === new URL(base).origin && e.data && e.data.type === "hotline12345:close") hide();
  });

  function mount() { document.body.append(panel, button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
