/* The case page on top of htmx: the reply box (Ctrl+Enter, the 快捷回复 picker, the placeholder check, one
   client id per message so a double submit posts once) and the thread the poll appends to. */
(function () {
  "use strict";

  var HS = (window.HS = window.HS || { beeps: 0 });
  var PLACEHOLDER = /\{(客户名|订单号|工单号|客服名|店铺名)\}/g;

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

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

  document.addEventListener("htmx:configRequest", function (event) {
    if (!threadList()) return;
    event.detail.parameters.after = lastMessageId();
    if (event.detail.elt.id === "case-poll") event.detail.parameters.version = caseVersion();
  });

  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (form.id !== "reply-form") return;
    var unfilled = form.querySelector("textarea").value.match(PLACEHOLDER);
    if (unfilled) {
      event.preventDefault();
      replyError("回复里还有未填写的占位符：" + unfilled.join("、") + "，请改成实际内容后再发送");
    }
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

  document.addEventListener("htmx:afterSettle", function () {
    dedupeThread();
    scrollThread(false);
  });
  document.addEventListener("htmx:oobAfterSwap", dedupeThread);

  document.addEventListener("DOMContentLoaded", function () {
    var reply = document.getElementById("reply-form");
    if (reply) reply.querySelector("[name=client_id]").value = clientId();
    scrollThread(true);
  });
})();
