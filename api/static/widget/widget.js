/* 回声 Huisheng website chat widget: one <script> tag adds a chat button and panel, isolated in a shadow root.

   <script src="https://shop.example/huisheng/widget.js" data-shop="demo" async></script>
   data-api: the API base when it is not where the script is served from; data-color: the accent colour.
   Any element with data-huisheng-open opens the chat; so do window.Huisheng.open() and .close().
   The API it speaks is docs/widget_api.md. */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.Huisheng) return;

  // The widget's files sit beside the script; the API is there too unless data-api says otherwise.
  const assetBase = new URL(".", script.src);
  const apiBase = new URL(script.dataset.api || assetBase.href, location.href);
  if (!apiBase.pathname.endsWith("/")) apiBase.pathname += "/";
  const KEY = `huisheng.${script.dataset.shop || "default"}.`;
  const RETRIES = 5;
  const STALE_STREAM_MS = 45000; // the server pings every 15 s; silence this long means a dead connection
  const STATUS_TEXT = {
    bot: () => "智能客服",
    waiting_for_staff: () => "已转人工，请稍候",
    with_staff: (agent) => (agent && agent.display_name ? `客服 ${agent.display_name} 为您服务` : "人工客服为您服务"),
    closed: () => "会话已结束",
  };
  const SPEAKER = { customer: "我：", bot: "智能客服：", staff: "客服：", system: "系统消息：" };

  const store = {
    get(name) {
      try { return JSON.parse(localStorage.getItem(KEY + name)); } catch { return null; }
    },
    set(name, value) {
      // Blocked or full storage (private mode) only costs continuity across reloads.
      try { localStorage.setItem(KEY + name, JSON.stringify(value)); } catch { /* see above */ }
    },
  };

  const state = { token: store.get("visitor"), status: "bot", agent: null, lastId: 0, seen: store.get("seen") || 0, open: false, pumping: false };
  const messages = new Map(); // id -> Msg, so a message seen twice (POST answer, stream, history) shows once
  const nodes = new Map(); // "m<id>" or "c<client_id>" -> element
  const outbox = (store.get("outbox") || []).filter((item) => item && item.client_id && item.text);

  // ---- DOM ---------------------------------------------------------------------------------------
  const ICONS = {
    chat: '<svg class="icon-chat" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4.3 21l3.9-1.9c1.2.4 2.5.6 3.8.6 5.5 0 10-3.8 10-8.5S17.5 3 12 3zm-4 9.8a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6zm4 0a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6zm4 0a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6z"/></svg>',
    close: '<svg class="icon-close" viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7a1 1 0 00-1.4 0L12 10.6 7.1 5.7a1 1 0 10-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 101.4 1.4l4.9-4.9 4.9 4.9a1 1 0 001.4-1.4L13.4 12l4.9-4.9a1 1 0 000-1.4z"/></svg>',
    send: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3.4 20.4l17.5-7.5a1 1 0 000-1.8L3.4 3.6a1 1 0 00-1.4 1.1L3.6 11l9.4 1-9.4 1-1.6 6.3a1 1 0 001.4 1.1z"/></svg>',
  };
  const host = document.createElement("div");
  host.setAttribute("data-huisheng", "");
  host.dataset.state = "connecting"; // then "online" / "reconnecting": for the shop's own scripts and tests
  const shadow = host.attachShadow({ mode: "open" });
  // Only our own constant markup goes through innerHTML; everything from the server is set as text.
  shadow.innerHTML = `
    <style>.hs:not(.ready){display:none}</style>
    <link rel="stylesheet" href="${new URL("widget.css" + new URL(script.src).search, assetBase).href}">
    <div class="hs">
      <button class="launcher" type="button" aria-label="在线客服" aria-expanded="false" aria-controls="hs-panel">
        ${ICONS.chat}${ICONS.close}<span class="badge" aria-hidden="true" hidden></span>
      </button>
      <section class="panel" id="hs-panel" role="dialog" aria-labelledby="hs-name" tabindex="-1" hidden>
        <header class="head">
          <div class="avatar" aria-hidden="true">回</div>
          <div class="who">
            <h2 class="name" id="hs-name">在线客服</h2>
            <p class="status" data-state="bot" role="status"><span class="dot"></span><span class="status-text">智能客服</span></p>
          </div>
          <button class="close" type="button" aria-label="关闭客服窗口">${ICONS.close.replace(' class="icon-close"', "")}</button>
        </header>
        <div class="notice" role="status" hidden></div>
        <div class="body">
          <p class="greeting" hidden></p>
          <div class="log" role="log" aria-live="polite" aria-label="聊天记录"></div>
          <div class="typing" role="img" aria-label="客服正在输入" hidden><span></span><span></span><span></span></div>
        </div>
        <form class="composer">
          <label class="sr" for="hs-input">输入消息</label><span class="sr" id="hs-keys">Enter 发送，Shift+Enter 换行</span>
          <textarea class="input" id="hs-input" rows="1" maxlength="4000" placeholder="请输入您的问题…" aria-describedby="hs-keys"></textarea>
          <button class="send" type="submit" aria-label="发送" disabled>${ICONS.send}</button>
        </form>
        <p class="brand">回声智能客服</p>
      </section>
    </div>`;
  const $ = (selector) => shadow.querySelector(selector);
  const root = $(".hs"), launcher = $(".launcher"), panel = $(".panel"), badge = $(".badge");
  const body = $(".body"), log = $(".log"), typing = $(".typing"), notice = $(".notice");
  const form = $(".composer"), input = $(".input"), sendButton = $(".send"), statusLine = $(".status");
  const reveal = () => root.classList.add("ready");
  $("link").addEventListener("load", reveal);
  $("link").addEventListener("error", reveal); // unstyled but usable beats invisible
  if (script.dataset.color && CSS.supports("color", script.dataset.color)) {
    root.style.setProperty("--accent", script.dataset.color);
    root.style.setProperty("--accent-dark", script.dataset.color);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendText(parent, text) {
    // Links become <a> elements built by hand, never parsed HTML, and only for http(s).
    const pattern = /https?:\/\/[^\s<>"'，。！？；）】]+/g;
    let at = 0;
    for (const match of text.matchAll(pattern)) {
      parent.append(text.slice(at, match.index));
      const link = el("a", "", match[0]);
      link.href = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.append(link);
      at = match.index + match[0].length;
    }
    parent.append(text.slice(at));
  }

  function clock(iso) {
    const when = iso ? new Date(iso) : new Date();
    if (Number.isNaN(when.getTime())) return "";
    const time = when.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
    const today = when.toDateString() === new Date().toDateString();
    return today ? time : `${when.getMonth() + 1}月${when.getDate()}日 ${time}`;
  }

  function bubble(sender, text, staffName, createdAt) {
    const node = el("div", `msg from-${sender in SPEAKER ? sender : "system"}`);
    if (sender === "staff" && staffName) node.append(el("span", "sender", staffName));
    const box = el("div", "bubble");
    box.append(el("span", "sr", sender === "staff" && staffName ? `客服 ${staffName}：` : SPEAKER[sender] || ""));
    appendText(box, String(text || ""));
    const meta = el("div", "meta");
    meta.append(el("time", "", clock(createdAt)), el("span", "state"));
    if (createdAt) meta.firstChild.dateTime = createdAt;
    node.append(box, meta);
    return node;
  }

  function chips(m) {
    const group = el("div", "chips");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "快捷回复");
    m.buttons.forEach((button, index) => {
      const chip = el("button", "chip", button.title);
      chip.type = "button";
      chip.addEventListener("click", () => send(button.title, { message_id: m.id, index }));
      group.append(chip);
    });
    return group;
  }

  function rating(m) {
    // Button 0 is 5 分 … button 4 is 1 分, but each title says which, so the title decides.
    const choices = m.buttons.map((button, index) => {
      const score = Number((/^\s*([1-5])/.exec(button.title) || [])[1]) || 5 - index;
      return { score, index, title: button.title, hint: button.title.replace(/^\s*[1-5]\s*分?\s*/, "") };
    }).sort((a, b) => a.score - b.score);
    const box = el("div", "rating");
    const row = el("div", "stars");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "请为本次服务打分");
    const hint = el("p", "rating-hint");
    const light = (score) => row.querySelectorAll(".star").forEach((star, i) => star.classList.toggle("lit", choices[i].score <= score));
    const rest = () => {
      light(Number(box.dataset.chosen || 0));
      hint.textContent = "";
    };
    for (const choice of choices) {
      const star = el("button", "star", "★");
      star.type = "button";
      star.setAttribute("aria-label", `${choice.score} 分${choice.hint ? `，${choice.hint}` : ""}`);
      const preview = () => {
        if (!star.disabled) {
          light(choice.score);
          hint.textContent = `${choice.score} 分${choice.hint ? ` · ${choice.hint}` : ""}`;
        }
      };
      star.addEventListener("mouseenter", preview);
      star.addEventListener("focus", preview);
      star.addEventListener("mouseleave", rest);
      star.addEventListener("blur", rest);
      star.addEventListener("click", () => send(choice.title, { message_id: m.id, index: choice.index }));
      row.append(star);
    }
    box.choose = (text) => {
      const picked = choices.find((choice) => choice.title === text);
      if (picked) { box.dataset.chosen = String(picked.score); light(picked.score); }
    };
    box.append(row, hint);
    return box;
  }

  function messageNode(m) {
    const key = `m${m.id}`;
    let node = nodes.get(key);
    if (node) return node;
    // Our own message coming back from the server keeps the bubble already on screen.
    node = m.client_id && nodes.get(`c${m.client_id}`);
    if (node) {
      nodes.delete(`c${m.client_id}`);
      node.classList.remove("sending", "failed");
      node.querySelector(".state").textContent = "";
      node.querySelector(".retry")?.remove();
    } else {
      node = bubble(m.sender, m.text, m.staff_name, m.created_at);
      if (Array.isArray(m.buttons) && m.buttons.length) {
        node.append(m.presentation === "rating" ? rating(m) : chips(m));
      }
    }
    nodes.set(key, node);
    return node;
  }

  function pendingNode(item) {
    const key = `c${item.client_id}`;
    if (!nodes.has(key)) nodes.set(key, bubble("customer", item.text, null, null));
    const node = nodes.get(key);
    node.classList.toggle("sending", !item.failed && !item.stored);
    node.classList.toggle("failed", !!item.failed);
    node.querySelector(".state").textContent = item.failed ? item.error || "发送失败" : item.stored ? "" : "发送中…";
    if (item.failed && !node.querySelector(".retry")) {
      const retry = el("button", "retry", "重新发送");
      retry.type = "button";
      retry.addEventListener("click", () => { item.failed = false; retry.remove(); render(); pump(); });
      node.querySelector(".meta").append(retry);
    }
    return node;
  }

  function nearBottom() {
    return body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  }

  function render({ stick = nearBottom() } = {}) {
    const ordered = [...messages.values()].sort((a, b) => a.id - b.id);
    const lastCustomer = ordered.reduce((last, m) => (m.sender === "customer" ? m.id : last), 0);
    const wanted = [];
    let awaitingChoice = [];
    for (const m of ordered) {
      const node = messageNode(m);
      if (m.sender === "customer") {
        awaitingChoice.forEach((box) => box.choose(m.text));
        awaitingChoice = [];
      }
      // Buttons answer the latest question only; older ones would restart a finished flow.
      const live = m.id > lastCustomer && outbox.length === 0;
      node.querySelector(".chips")?.classList.toggle("spent", !live);
      const stars = node.querySelector(".rating");
      if (stars) {
        stars.querySelectorAll(".star").forEach((star) => { star.disabled = !live; });
        awaitingChoice.push(stars);
      }
      wanted.push(node);
    }
    for (const item of outbox) wanted.push(pendingNode(item));
    // Move only what is out of place, so the live region announces new messages and nothing else.
    let next = log.firstElementChild;
    for (const node of wanted) {
      if (node === next) next = next.nextElementSibling;
      else log.insertBefore(node, next);
    }
    while (next) {
      const after = next.nextElementSibling;
      next.remove();
      next = after;
    }
    typing.hidden = !state.pumping;
    if (state.open) markSeen();
    const unread = ordered.filter((m) => (m.sender === "bot" || m.sender === "staff") && m.id > state.seen).length;
    badge.hidden = state.open || unread === 0;
    badge.textContent = unread > 9 ? "9+" : String(unread);
    launcher.title = unread && !state.open ? `${unread} 条未读消息` : "";
    if (stick) scrollToEnd();
  }

  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  function markSeen() {
    if (state.lastId > state.seen) {
      state.seen = state.lastId;
      store.set("seen", state.seen);
    }
  }

  let noticeTimer = null;
  function showNotice(text, delayMs = 0) {
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.textContent = text; notice.hidden = false; }, delayMs);
  }
  function hideNotice() {
    clearTimeout(noticeTimer);
    notice.hidden = true;
  }

  function setStatus(status, agent) {
    if (!(status in STATUS_TEXT)) return;
    state.status = status;
    state.agent = agent || null;
    const text = STATUS_TEXT[status](state.agent);
    if (statusLine.dataset.state !== status || statusLine.lastChild.textContent !== text) {
      statusLine.dataset.state = status;
      statusLine.lastChild.textContent = text;
    }
    $(".avatar").textContent = status === "with_staff" && state.agent?.display_name ? state.agent.display_name.slice(0, 1) : "回";
  }

  function addMessages(list) {
    for (const m of list) {
      if (!m || typeof m.id !== "number" || messages.has(m.id)) continue;
      messages.set(m.id, m);
      state.lastId = Math.max(state.lastId, m.id);
      if (m.client_id) dropFromOutbox(m.client_id);
    }
    render();
  }

  // ---- Talking to the API -------------------------------------------------------------------------
  class HttpError extends Error {
    constructor(status) {
      super(`HTTP ${status}`);
      this.status = status;
    }
  }

  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); window.removeEventListener("online", done); resolve(); }
    window.addEventListener("online", done); // coming back online cuts any backoff short
  });
  const backoff = (attempt) => Math.min(30000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
  const waitOnline = () => (navigator.onLine ? Promise.resolve() : new Promise((resolve) => window.addEventListener("online", resolve, { once: true })));

  async function call(method, path, payload) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(new URL(path, apiBase), {
      method, headers, body: payload === undefined ? undefined : JSON.stringify(payload), cache: "no-store", credentials: "omit",
    });
    if (!response.ok) throw new HttpError(response.status);
    return response.json();
  }

  async function register() {
    const previous = state.token;
    const answer = await call("POST", "api/chat/visitors", { visitor_token: state.token || null });
    state.token = answer.visitor_token;
    store.set("visitor", state.token);
    if (previous && previous !== state.token) {
      // A new visitor: the old one's messages are not this one's history.
      messages.clear();
      state.lastId = state.seen = 0;
      store.set("seen", 0);
    }
    const shop = answer.shop || {};
    if (shop.name) $(".name").textContent = shop.name;
    $(".greeting").textContent = shop.greeting || "";
    $(".greeting").hidden = !shop.greeting;
  }

  async function loadHistory() {
    const history = await call("GET", "api/chat/history?limit=50");
    setStatus(history.status, history.agent);
    log.setAttribute("aria-busy", "true"); // announce what arrives from now on, not the whole backlog
    addMessages(history.messages || []);
    log.setAttribute("aria-busy", "false");
  }

  function saveOutbox() {
    store.set("outbox", outbox.map(({ client_id, text, choice }) => ({ client_id, text, choice })));
  }

  function dropFromOutbox(clientId) {
    const at = outbox.findIndex((item) => item.client_id === clientId);
    if (at >= 0) {
      outbox.splice(at, 1);
      saveOutbox();
    }
  }

  function newClientId() {
    if (crypto.randomUUID) return `c-${crypto.randomUUID()}`;
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }

  function send(text, choice) {
    const clean = text.trim();
    if (!clean) return;
    outbox.push({ client_id: newClientId(), text: clean, choice: choice || null });
    saveOutbox();
    render({ stick: true });
    pump();
  }

  async function pump() {
    if (state.pumping || !state.token) return; // before the visitor is known, boot() pumps later
    state.pumping = true;
    render();
    try {
      for (let item = outbox.find((i) => !i.stored); item && !item.failed; item = outbox.find((i) => !i.stored)) {
        await deliver(item);
      }
    } finally {
      state.pumping = false;
      render();
    }
  }

  async function deliver(item) {
    for (let attempt = 0; ; attempt++) {
      await waitOnline();
      try {
        // The same client_id on every try: the server stores a re-sent message once.
        const answer = await call("POST", "api/chat/messages", { text: item.text, client_id: item.client_id, choice: item.choice });
        setStatus(answer.status, answer.agent);
        dropFromOutbox(item.client_id);
        addMessages([answer.message, ...(answer.replies || [])]);
        return;
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 0;
        if (status === 401 && attempt === 0) {
          await register().catch(() => {});
          continue;
        }
        if (status === 503) {
          // Stored, but the bot is down: the message arrives by the stream or history; nothing to resend.
          item.stored = true;
          showNotice("智能客服暂时无法回复，您的留言已收到，我们会尽快处理");
          return;
        }
        const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
        if (permanent || attempt >= RETRIES) {
          item.failed = true;
          item.error = permanent ? "消息未能发送" : "网络不稳定，消息未发出";
          return;
        }
        await sleep(backoff(attempt));
      }
    }
  }

  let streamAbort = null;
  async function streamLoop() {
    let delay = 1000;
    for (let connected = 0; ; ) {
      await waitOnline();
      const controller = new AbortController();
      streamAbort = controller;
      let watchdog = 0;
      const kick = () => { clearTimeout(watchdog); watchdog = setTimeout(() => controller.abort(), STALE_STREAM_MS); };
      try {
        kick();
        const headers = { Accept: "text/event-stream", Authorization: `Bearer ${state.token}` };
        if (state.lastId) headers["Last-Event-ID"] = String(state.lastId);
        const response = await fetch(new URL("api/chat/stream", apiBase), { headers, signal: controller.signal, cache: "no-store", credentials: "omit" });
        if (response.status === 401) await register();
        else if (!response.ok || !response.body) throw new HttpError(response.status);
        else {
          hideNotice();
          host.dataset.state = "online";
          delay = 1000;
          // After a gap the status may have moved on; the stream itself replays missed messages.
          if (connected++) loadHistory().catch(() => {});
          await readEvents(response.body.getReader(), kick);
        }
      } catch { /* dropped: reconnect below */ } finally {
        clearTimeout(watchdog);
        host.dataset.state = "reconnecting";
      }
      showNotice(navigator.onLine ? "连接中断，正在重新连接…" : "网络已断开，恢复后将自动重连", navigator.onLine ? 3000 : 0);
      await sleep(delay * (0.75 + Math.random() / 2));
      delay = Math.min(delay * 2, 30000);
    }
  }

  async function readEvents(reader, kick) {
    const decoder = new TextDecoder();
    let buffer = "", event = "message", data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      kick();
      buffer += decoder.decode(value, { stream: true });
      // A trailing \r may be half of \r\n; keep it until the next chunk says.
      const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = lines.pop() + buffer.slice(cut);
      for (const line of lines) {
        if (line === "") {
          if (data.length) dispatch(event, data.join("\n"));
          event = "message";
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        }
      }
    }
  }

  function dispatch(event, data) {
    let payload;
    try { payload = JSON.parse(data); } catch { return; }
    if (event === "message") addMessages([payload]);
    else if (event === "status") setStatus(payload.status, payload.agent);
  }

  async function boot() {
    for (let attempt = 0; ; attempt++) {
      try {
        await register();
        await loadHistory();
        break;
      } catch {
        showNotice("暂时无法连接客服，正在重试…", attempt ? 0 : 1500);
        await sleep(backoff(attempt));
      }
    }
    hideNotice();
    pump();
    streamLoop();
  }

  // ---- Opening, closing, typing -------------------------------------------------------------------
  function openPanel() {
    state.open = true;
    panel.hidden = false;
    root.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    render({ stick: true });
    // On a touch screen focusing the input would raise the keyboard over the conversation; the dialog
    // itself takes focus there, so a screen reader still lands inside it.
    (matchMedia("(pointer: coarse)").matches ? panel : input).focus();
  }
  function closePanel() {
    state.open = false;
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (state.open ? closePanel() : openPanel()));
  $(".close").addEventListener("click", closePanel);
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && state.open) { e.stopPropagation(); closePanel(); } });
  const resize = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
    sendButton.disabled = !input.value.trim();
  };
  input.addEventListener("input", resize);
  input.addEventListener("keydown", (e) => {
    // Enter inside an IME composition picks characters; only a plain Enter sends.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(input.value);
    input.value = "";
    resize();
  });
  window.addEventListener("offline", () => { streamAbort?.abort(); showNotice("网络已断开，恢复后将自动重连"); });
  // Any element on the host page with data-huisheng-open opens the chat ("联系客服" links).
  document.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest("[data-huisheng-open]")) { e.preventDefault(); openPanel(); }
  });

  window.Huisheng = { open: openPanel, close: closePanel };
  (document.body || document.documentElement).append(host);
  render();
  boot();
})();
