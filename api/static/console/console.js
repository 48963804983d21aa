/* The staff console's behaviour on top of htmx, on every page: keyboard shortcuts, flash messages, and the
   queue's polling niceties (new-case badge and beep, ticked rows kept, j/k to move). case.js has the case page. */
(function () {
  "use strict";

  var HS = (window.HS = window.HS || { beeps: 0 });
  var baseTitle = document.title;

  function typing(target) {
    var el = target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
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

  /* ---------- htmx wiring ---------- */
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.id === "queue-rows") event.detail.parameters.seen = seen;
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

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.target;
    fadeSuccess(document.getElementById("flash"));
    if (document.getElementById("queue-rows") && target && (target.id === "queue-rows" || target.closest && target.closest("table.queue"))) {
      restorePicks();
      var body = queueRows();
      showNew(Number(body.dataset.new || 0));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    fadeSuccess(document);
    initQueue();
    // On a phone the navigation scrolls sideways: the page's own entry is brought into view.
    var current = document.querySelector(".nav [aria-current=page]");
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "center" });
    var nav = document.querySelector(".nav");
    if (nav) {
      // The fade at the right edge says "more this way"; at the end there is no more.
      var edge = function () { nav.classList.toggle("at-end", nav.scrollLeft + nav.clientWidth >= nav.scrollWidth - 2); };
      nav.addEventListener("scroll", edge, { passive: true });
      edge();
    }
    // On a phone the filters fold away unless some are set.
    var filters = document.querySelector("details[data-collapse-narrow]");
    if (filters && window.matchMedia("(max-width: 760px)").matches && !/[?&](status|channel|category|assignee|tag|mine)=/.test(location.search)) {
      filters.open = false;
    }
    HS.ready = true;
  });
})();
