/* The staff console's behaviour on top of htmx: keyboard shortcuts, the queue's new-case badge and beep,
   the case page's reply box (Ctrl+Enter, 快捷回复 picker, placeholder check, one client id per message). */
(function () {
  "use strict";

  var HS = (window.HS = window.HS || { beeps: 0 });
  var baseTitle = document.title;
  var PLACEHOLDER = /\{(客户名|订单号|工单号|客服名|店铺名)\}/g;

  function typing(target) {
    var el = target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  /* ---------- flash messages ---------- */
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-dismiss]");
    if (close) close.closest("[data-flash]").remove();
  });

  function fadeSuccess(root) {
    (root || document).querySelectorAll(".flash-success[data-flash]").forEach(function (el) {
      setTimeout(function () { el.remove(); }, 6000);
    });
  }

  /* ---------- global shortcuts ---------- */
  function openHelp() {
    var help = document.getElementById("help");
    if (help && !help.open) help.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-help]")) openHelp();
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (event.key === "/") {
      var search = document.getElementById("top-q");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "?") {
      event.preventDefault();
      openHelp();
    } else if (event.key === "j" || event.key === "k") {
      moveInQueue(event.key === "j" ? 1 : -1) && event.preventDefault();
    }
  });

  /* ---------- the queue ---------- */
  function queueRows() {
    return document.getElementById("queue-rows");
  }

  function moveInQueue(step) {
    var body = queueRows();
    if (!body) return false;
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr.row"));
    if (!rows.length) return false;
    var current = rows.indexOf(document.activeElement && document.activeElement.closest("tr.row"));
    var next = rows[Math.max(0, Math.min(rows.length - 1, current + step))];
    next.querySelector(".ticket-link").focus();
    return true;
  }

  function soundOn() {
    var toggle = document.querySelector("[data-sound-toggle]");
    return !toggle || toggle.checked;
  }

  var audio = null;
  function unlockAudio() {
    // Browsers start audio only after a gesture on the page; the first click or key readies it.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  HS.beep = function () {
    HS.beeps += 1;
    if (!soundOn()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.setValueAtTime(880, t);
      tone.frequency.setValueAtTime(1320, t + 0.12);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(t);
      tone.stop(t + 0.32);
    } catch (e) { /* no audio device: the title badge still tells */ }
  };

  var seen = 0;
  var announced = 0;

  function showNew(count) {
    var notice = document.querySelector("[data-new-notice]");
    if (count > 0) {
      document.title = "(" + count + ") 新工单 · 回声客服台";
      if (notice) {
        notice.hidden = false;
        notice.textContent = "有 " + count + " 个新工单 · 点击标为已看";
      }
      if (count > announced) HS.beep();
    } else {
      document.title = baseTitle;
      if (notice) notice.hidden = true;
    }
    announced = count;
  }

  function markSeen() {
    var body = queueRows();
    if (!body) return;
    seen = Math.max(seen, Number(body.dataset.newest || 0));
    try { sessionStorage.setItem("hs.seen", String(seen)); } catch (e) { /* private mode */ }
    body.querySelectorAll("tr.is-new").forEach(function (row) { row.classList.remove("is-new"); });
    body.querySelectorAll(".new-chip").forEach(function (chip) { chip.remove(); });
    showNew(0);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-new-notice]")) markSeen();
  });

  var picked = {};
  function rememberPicks() {
    picked = {};
    var body = queueRows();
    if (!body) return;
    body.querySelectorAll("input[name=ids]:checked").forEach(function (box) {
      picked[box.value.split(":")[0]] = true;
    });
  }

  function restorePicks() {
    var body = queueRows();
    if (!body) return;
    body.querySelectorAll("input[name=ids]").forEach(function (box) {
      if (picked[box.value.split(":")[0]]) box.checked = true;
    });
    countPicks();
  }

  function countPicks() {
    var count = document.querySelectorAll("#queue-rows input[name=ids]:checked").length;
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = count; });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-pick-all]")) {
      document.querySelectorAll("#queue-rows input[name=ids]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-pick-all], #queue-rows input[name=ids]")) countPicks();
  });

  function initQueue() {
    var body = queueRows();
    if (!body) return;
    var stored = 0;
    try { stored = Number(sessionStorage.getItem("hs.seen") || 0); } catch (e) { stored = 0; }
    seen = Math.max(stored, Number(body.dataset.newest || 0));
    try { sessionStorage.setItem("hs.seen", String(seen)); } catch (e) { /* private mode */ }
  }

  /* ---------- the case page ---------- */
  function threadList() {
    return document.getElementById("thread-list");
  }

  function lastMessageId() {
    var list = threadList();
    var last = 0;
    if (list) list.querySelectorAll("[data-id]").forEach(function (m) { last = Math.max(last, Number(m.dataset.id)); });
    return last;
  }

  function caseVersion() {
    var panel = document.getElementById("case-panel");
    return panel ? panel.dataset.version : "";
  }

  function dedupeThread() {
    var list = threadList();
    if (!list) return;
    var ids = {};
    list.querySelectorAll("[data-id]").forEach(function (m) {
      if (ids[m.dataset.id]) m.remove();
      ids[m.dataset.id] = true;
    });
  }

  function scrollThread(force) {
    var box = document.getElementById("thread");
    if (!box) return;
    if (force || box.scrollHeight - box.scrollTop - box.clientHeight < 160) box.scrollTop = box.scrollHeight;
  }

  function cannedReplies() {
    var data = document.getElementById("canned-data");
    if (!data) return [];
    try { return JSON.parse(data.textContent); } catch (e) { return []; }
  }

  function replyError(text) {
    var slot = document.getElementById("reply-error");
    if (!slot) return;
    slot.textContent = text || "";
    slot.hidden = !text;
  }

  var picker = { items: [], index: 0 };

  function pickerBox() { return document.getElementById("canned-picker"); }

  function renderPicker(filter) {
    var box = pickerBox();
    var input = document.getElementById("reply-text");
    if (!box || !input) return;
    var needle = (filter || "").toLowerCase();
    picker.items = cannedReplies().filter(function (r) {
      if (!needle) return true;
      return (r.shortcut || "").toLowerCase().indexOf(needle) === 0 || r.title.toLowerCase().indexOf(needle) !== -1;
    });
    picker.index = 0;
    box.innerHTML = "";
    if (!picker.items.length) {
      var none = document.createElement("li");
      none.className = "picker-empty";
      none.textContent = "没有匹配的快捷回复";
      box.appendChild(none);
    }
    picker.items.forEach(function (reply, i) {
      var item = document.createElement("li");
      item.id = "canned-option-" + i;
      item.setAttribute("role", "option");
      item.dataset.index = i;
      var title = document.createElement("strong");
      title.textContent = reply.title + (reply.shortcut ? "  /" + reply.shortcut : "");
      var text = document.createElement("span");
      text.textContent = reply.text;
      item.appendChild(title);
      item.appendChild(text);
      box.appendChild(item);
    });
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight();
  }

  function highlight() {
    var box = pickerBox();
    var input = document.getElementById("reply-text");
    box.querySelectorAll("[role=option]").forEach(function (item, i) {
      item.setAttribute("aria-selected", i === picker.index ? "true" : "false");
      if (i === picker.index) {
        input.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function closePicker() {
    var box = pickerBox();
    var input = document.getElementById("reply-text");
    if (box) box.hidden = true;
    if (input) {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pickerOpen() {
    var box = pickerBox();
    return box && !box.hidden;
  }

  function insertReply(reply) {
    var input = document.getElementById("reply-text");
    if (!reply || !input) return;
    var value = input.value;
    // A typed "/shortcut" is replaced; otherwise the text goes where the cursor is.
    if (/^\/\S*$/.test(value)) value = "";
    var at = value ? input.selectionStart : 0;
    input.value = value.slice(0, at) + reply.text + value.slice(at);
    closePicker();
    input.focus();
    var unfilled = reply.text.match(PLACEHOLDER);
    if (unfilled) {
      replyError("请先把 " + unfilled.join("、") + " 改成实际内容再发送");
      var first = input.value.search(PLACEHOLDER);
      input.setSelectionRange(first, first + unfilled[0].length);
    } else {
      replyError("");
      input.setSelectionRange(input.value.length, input.value.length);
    }
  }
  HS.insertReply = insertReply;

  document.addEventListener("input", function (event) {
    if (event.target.id !== "reply-text") return;
    var value = event.target.value;
    var match = /^\/(\S*)$/.exec(value);
    if (match) renderPicker(match[1]);
    else if (pickerOpen()) closePicker();
    if (!PLACEHOLDER.test(value)) replyError("");
    PLACEHOLDER.lastIndex = 0;
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.id === "reply-text" && pickerOpen()) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var size = picker.items.length || 1;
        picker.index = (picker.index + (event.key === "ArrowDown" ? 1 : -1) + size) % size;
        highlight();
        return;
      }
      if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey && picker.items.length) {
        event.preventDefault();
        insertReply(picker.items[picker.index]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        closePicker();
        return;
      }
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && target.form && target.tagName === "TEXTAREA") {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("#canned-picker [role=option]");
    if (option) {
      insertReply(picker.items[Number(option.dataset.index)]);
      return;
    }
    var opener = event.target.closest && event.target.closest("[data-canned-open]");
    if (opener) {
      if (pickerOpen()) closePicker();
      else {
        renderPicker("");
        document.getElementById("reply-text").focus();
      }
    }
  });

  /* ---------- htmx wiring ---------- */
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.id === "queue-rows") event.detail.parameters.seen = seen;
    if (threadList()) {
      event.detail.parameters.after = lastMessageId();
      if (elt.id === "case-poll") event.detail.parameters.version = caseVersion();
    }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (form.id !== "reply-form") return;
    var text = form.querySelector("textarea").value;
    var unfilled = text.match(PLACEHOLDER);
    if (unfilled) {
      event.preventDefault();
      replyError("回复里还有未填写的占位符：" + unfilled.join("、") + "，请改成实际内容后再发送");
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    // A poll never replaces rows while someone is choosing in them.
    if (elt.id === "queue-rows" && document.activeElement && elt.contains(document.activeElement) &&
        document.activeElement.tagName === "SELECT") {
      event.preventDefault();
      return;
    }
    if (elt.id === "queue-rows" || (elt.closest && elt.closest("#queue-rows, #bulk-form"))) rememberPicks();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.id === "reply-form" && event.detail.successful) {
      // The next message gets a new id; a failed one keeps its id so sending it again posts it once.
      elt.querySelector("[name=client_id]").value = clientId();
      elt.querySelector("textarea").value = "";
      replyError("");
    }
    if (elt.id === "note-form" && event.detail.successful) elt.querySelector("textarea").value = "";
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.target;
    fadeSuccess(document.getElementById("flash"));
    if (document.getElementById("queue-rows") && target && (target.id === "queue-rows" || target.closest && target.closest("table.queue"))) {
      restorePicks();
      var body = queueRows();
      showNew(Number(body.dataset.new || 0));
    }
    if (threadList()) {
      dedupeThread();
      scrollThread(false);
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (threadList()) dedupeThread();
  });

  document.addEventListener("DOMContentLoaded", function () {
    fadeSuccess(document);
    initQueue();
    var reply = document.getElementById("reply-form");
    if (reply) reply.querySelector("[name=client_id]").value = clientId();
    scrollThread(true);
    HS.ready = true;
  });
})();
