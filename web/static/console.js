// Watchfloor console: sequence tracking and resync, reconnects, live clocks, errors.
// The server pushes HTML fragments; this file only keeps the stream honest and the page alive.
(function () {
  "use strict";

  var seen = {};          // incident id -> last seq applied
  var socket = null;      // the htmx ws extension's socket wrapper
  var latest = null;      // the WebSocket made last: the only one whose closing matters
  // Close codes: server/live/close_codes.py is the table (tests/test_close_codes.py keeps them equal).
  var SESSION_ENDED = 4401, POLICY = 1008, NO_SUCH_VIEW = 4404;
  var RECONNECTED_BY_HTMX = [1006, 1011, 1012, 1013];
  var signingOut = false; // this page pressed 退出: its own response leads to the login screen

  function resync() {
    // A gap, a duplicate stream or a lost connection: reconnect; the server sends a snapshot.
    // A socket still connecting brings its own snapshot (and a second one would be orphaned).
    if (socket && !(latest && latest.readyState === WebSocket.CONNECTING)) { socket.reconnect(); }
  }

  function readMeta(message) {
    var m = /<span id="wf-seq"[^>]*>/.exec(message);
    if (!m) { return null; }
    var attr = function (name) {
      var r = new RegExp(name + '="([^"]*)"').exec(m[0]);
      return r ? r[1] : null;
    };
    return { incident: attr("data-incident"), prev: attr("data-prev"), seq: attr("data-seq"),
             snapshot: attr("data-snapshot") };
  }

  // A pushed row replaces the row of the same id; a row the page does not have yet (a new
  // incident) would have no target (htmx logs htmx:oobErrorNoTarget and drops it), so it is
  // put in place before htmx swaps: newest opened first, as on the page. htmx then swaps the
  // pushed row onto it. (The server puts the wf-seq marker last, so a <tr> parses as a row.)
  var LISTS = [{ tag: "TR", prefix: /^incident-/, list: "board-rows" },
               { tag: "LI", prefix: /^phone-item-/, list: "phone-list" }];

  function opened(el) {
    var cell = el.dataset.opened ? null : el.querySelector("[data-since]");
    return Date.parse(el.dataset.opened || (cell ? cell.dataset.since : ""));
  }

  // A row new to a list the page has (an item a raised level adds, a unit newly told) names
  // that list (data-list); rows are only ever added last, so a stand-in goes at its end.
  function placeListed(item) {
    var list = document.getElementById(item.dataset.list);
    if (!list || document.getElementById(item.id)) { return; }
    var place = document.createElement(item.tagName);
    place.id = item.id;
    list.appendChild(place);
  }

  function placeNewRows(message) {
    if (message.indexOf("hx-swap-oob") < 0) { return; }
    var parsed = document.createElement("template");
    parsed.innerHTML = message;
    Array.prototype.forEach.call(parsed.content.children, function (item) {
      if (item.dataset.list) { placeListed(item); return; }
      var kind = LISTS.filter(function (k) {
        return item.tagName === k.tag && k.prefix.test(item.id);
      })[0];
      var list = kind && document.getElementById(kind.list);
      if (!list || document.getElementById(item.id)) { return; }
      var place = document.createElement(item.tagName);
      place.id = item.id;
      if (item.getAttribute("hx-swap-oob") === "delete") { list.appendChild(place); return; }
      var at = opened(item), before = null;
      place.setAttribute("data-opened", isNaN(at) ? "" : new Date(at).toISOString());
      Array.prototype.forEach.call(list.querySelectorAll(".empty"), function (el) { el.remove(); });
      // A linked incident goes directly under the one it was opened from, as on the page.
      var first = item.dataset.linkedTo && document.getElementById(item.dataset.linkedTo);
      if (first && first.parentNode === list) { list.insertBefore(place, first.nextSibling); return; }
      Array.prototype.some.call(list.children, function (el) {
        if (opened(el) < at) { before = el; return true; }
        return false;
      });
      list.insertBefore(place, before);
    });
  }

  // reconnect() makes a new socket and closes the old one; that old socket's close must not
  // start yet another reconnect (it did: a resync turned into a new socket every ~2 s, forever).
  var makeSocket = htmx.createWebSocket || function (url) { return new WebSocket(url); };
  htmx.createWebSocket = function (url) {
    latest = makeSocket(url);
    return latest;
  };

  document.addEventListener("htmx:wsOpen", function (e) {
    socket = e.detail.socketWrapper;
    setConnected(true);
  });

  document.addEventListener("htmx:wsBeforeMessage", function (e) {
    var meta = readMeta(e.detail.message);
    if (!meta) { return; }
    if (meta.snapshot !== null) {
      seen = {};
      meta.snapshot.split(",").filter(Boolean).forEach(function (pair) {
        var i = pair.lastIndexOf(":");
        seen[pair.slice(0, i)] = parseInt(pair.slice(i + 1), 10);
      });
      return;
    }
    var prev = parseInt(meta.prev, 10), seq = parseInt(meta.seq, 10), last = seen[meta.incident];
    if (last !== undefined && seq <= last) { e.preventDefault(); return; }      // duplicate
    if (last !== undefined && prev !== last) { e.preventDefault(); resync(); return; }  // gap
    if (last === undefined && prev > 0 && document.body.classList.contains("board") &&
        !document.getElementById("incident-" + meta.incident)) {
      e.preventDefault(); resync(); return;  // a row we never had: take a snapshot
    }
    seen[meta.incident] = seq;
    placeNewRows(e.detail.message);
  });

  document.addEventListener("htmx:wsAfterMessage", function () {
    refreshClocks();
    scanAlarms();
    applyFilters();
    var empty = document.querySelector(".board .empty");
    if (empty) { empty.hidden = !!document.querySelector("#board-rows tr"); }
  });

  document.addEventListener("htmx:wsClose", function (e) {
    var closed = e.detail.event.target;
    if (closed !== latest) { return; }  // replaced by a newer socket on purpose
    setConnected(false);
    var code = e.detail.event.code;
    if (signingOut) { return; }
    if (code === SESSION_ENDED || code === POLICY) {  // sign in again, then back to this page
      window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      return;
    }
    if (code === NO_SUCH_VIEW) { return; }  // retrying cannot make the incident exist
    // htmx reconnects by itself only on some codes; reconnect on the others too.
    if (RECONNECTED_BY_HTMX.indexOf(code) < 0) {
      setTimeout(function () {
        if (closed === latest) { e.detail.socketWrapper.reconnect(); }
      }, 500 + Math.random() * 2000);
    }
  });

  // Bubbling: offline.js's capture listener has already asked about the queue by now.
  document.addEventListener("submit", function (e) {
    if (e.target.getAttribute("action") === "/logout" && !e.defaultPrevented) { signingOut = true; }
  });

  // The network went away: say so at once (over a dead link a socket can look open for
  // minutes); when it is back, take a new socket and a fresh snapshot rather than trust the old.
  window.addEventListener("offline", function () { setConnected(false); });
  window.addEventListener("online", resync);

  // The offline banner sticks right under the header (app.css), whose height varies.
  function measureHeader() {
    var header = document.querySelector("header.top");
    if (header) {
      document.documentElement.style.setProperty("--header-height", header.offsetHeight + "px");
    }
  }
  window.addEventListener("resize", measureHeader);

  function setConnected(on) {
    var el = document.getElementById("conn-state");
    if (!el) { return; }
    measureHeader();
    el.textContent = on ? el.dataset.live : el.dataset.offline;
    el.classList.toggle("down", !on);
  }

  // Every command carries an idempotency key, so a retry never applies twice.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get" && !e.detail.headers["Idempotency-Key"]) {
      e.detail.headers["Idempotency-Key"] = newKey();
    }
  });

  function newKey() {  // crypto.randomUUID needs a secure context; getRandomValues does not
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    if (window.crypto && crypto.getRandomValues) {
      return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    }
    return Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }
  window.wfNewKey = newKey;

  // A plain form that downloads (an export) keeps the page: each submit is a new command with
  // its own key, while the browser's own retry of one submit resends the same key.
  document.addEventListener("submit", function (e) {
    var key = e.target.querySelector && e.target.querySelector("input[name=idempotency_key]");
    if (key && !e.target.hasAttribute("hx-post")) { key.value = newKey(); }
  });

  // Behaviour that would otherwise be inline handlers (the CSP allows script from files only).
  document.addEventListener("submit", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-no-submit")) { e.preventDefault(); }
  });
  document.addEventListener("change", function (e) {
    var toggles = e.target.getAttribute && e.target.getAttribute("data-toggles");
    var box = toggles && e.target.closest("#timeline-box");
    if (box) { box.classList.toggle(toggles, e.target.checked); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form.hasAttribute && form.hasAttribute("data-reload-on-success")) {
      location.reload();
    }
  });

  // The headcount stepper: − and + change the number; the button beside it sends it.
  document.addEventListener("click", function (e) {
    var step = e.target.closest && e.target.closest("button[data-step]");
    if (!step) { return; }
    var input = step.parentNode.querySelector("input[type=number]");
    if (!input) { return; }
    if (parseInt(step.dataset.step, 10) > 0) { input.stepUp(); } else { input.stepDown(); }
  });

  // Pushed fragments replace parts of the page while someone may be typing in them: what was
  // typed, which fold was open and where the cursor was are carried over to the new markup,
  // except for a form whose request is on its way (its text is being recorded).
  var carried = null, sending = {};
  function formOf(el) { return el.form || (el.closest && el.closest("form")); }
  function fields(root) {  // [key, element] in document order; a key repeats per occurrence
    var seen = {}, out = [];
    root.querySelectorAll("input:not([type=hidden]), textarea, select").forEach(function (el) {
      if (!el.name) { return; }
      var form = formOf(el), base = (form ? form.getAttribute("action") : "") + "|" + el.name;
      seen[base] = (seen[base] || 0) + 1;
      out.push([base + "|" + seen[base], el]);
    });
    return out;
  }
  function dirty(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      var chosen = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
      return el.selectedIndex !== (chosen < 0 ? 0 : chosen);
    }
    return el.value !== el.defaultValue;
  }
  function sendingFrom(el) { var form = formOf(el); return form && sending[form.getAttribute("action")]; }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt && formOf(e.detail.elt);
    if (form) { sending[form.getAttribute("action")] = true; }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt && formOf(e.detail.elt);
    if (!form) { return; }
    delete sending[form.getAttribute("action")];
    if (e.detail.successful) { form.reset(); }  // recorded: nothing left to carry over
  });
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target, keep = { values: {}, open: [], focus: null };
    fields(target).forEach(function (pair) {
      var key = pair[0], el = pair[1];
      if (el === document.activeElement) {
        keep.focus = { key: key, start: el.selectionStart, end: el.selectionEnd };
      }
      if (dirty(el) && !sendingFrom(el)) {
        keep.values[key] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
      }
    });
    target.querySelectorAll("details[open][id]").forEach(function (el) { keep.open.push(el.id); });
    carried = keep;
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var now = e.target, keep = carried;
    if (!keep || !now.querySelectorAll) { return; }
    carried = null;
    fields(now).forEach(function (pair) {
      var key = pair[0], el = pair[1];
      if (key in keep.values) {
        if (el.type === "checkbox" || el.type === "radio") { el.checked = keep.values[key]; }
        else { el.value = keep.values[key]; }
      }
      if (keep.focus && keep.focus.key === key) {
        el.focus();
        try { el.setSelectionRange(keep.focus.start, keep.focus.end); } catch (ignored) { /* a number or a select */ }
      }
    });
    keep.open.forEach(function (id) {
      var fold = document.getElementById(id);
      if (fold && now.contains(fold)) { fold.open = true; }
    });
  });

  // Refusals (4xx) are shown, not swallowed.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status >= 400 && status < 500) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.addEventListener("wf-done", function () {
    var flash = document.getElementById("flash");
    if (flash) { flash.innerHTML = ""; }
  });

  // Times since opening and deadlines, kept current without a server round trip.
  function refreshClocks() {
    var now = Date.now(), en = document.body.dataset.lang === "en";
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var t = Date.parse(el.dataset.since);
      if (isNaN(t)) { return; }
      var mins = Math.max(0, Math.floor((now - t) / 60000));
      var h = Math.floor(mins / 60), m = mins % 60;
      el.textContent = h ? (en ? h + " h " + m + " min" : h + " 小时 " + m + " 分") : (en ? mins + " min" : mins + " 分钟");
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      var late = !isNaN(due) && due < now;
      el.classList.toggle("overdue", late);
      if (late && el.dataset.late) { el.textContent = el.dataset.late; }
    });
    document.querySelectorAll("[data-eta]").forEach(function (el) {  // a resource's ETA
      var left = Math.ceil((Date.parse(el.dataset.eta) - now) / 60000);
      if (isNaN(left)) { return; }
      el.textContent = left > 0 ? "(" + left + " " + el.dataset.min + ")" : "(" + el.dataset.arrived + ")";
    });
    document.querySelectorAll("[data-next-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.nextDue);
      el.classList.toggle("alert", el.textContent.trim() !== "0" || (!isNaN(due) && due < now));
    });
  }

  function applyFilters() {
    var form = document.getElementById("filters");
    if (!form) { return; }
    var type = form.elements.type.value, level = form.elements.level.value;
    var drill = form.elements.drill ? form.elements.drill.value : "";
    document.querySelectorAll("#board-rows tr").forEach(function (row) {
      row.hidden = (type && row.dataset.type !== type) || (level && row.dataset.level !== level) ||
        (drill && row.dataset.drill !== drill);
    });
  }

  document.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest("#filters")) { applyFilters(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    refreshClocks();
    setInterval(refreshClocks, 15000);
    baseTitle = document.title;
    showSound();
    scanAlarms();
    setInterval(scanAlarms, 1000);  // a report deadline passes between pushes
  });

  // Alarms: a unit escalates (gone silent), a report falls due. The server marks each with
  // data-alarm (keys, space-separated) and data-alarm-text; data-alarm-when delays one until
  // its deadline. What shows when the page is first drawn is not news; a key seen for the
  // first time after that flashes the tab's title and, unless muted, plays a short sound
  // (made with WebAudio; the browser lets it play only after a first tap or key on the page).
  var known = null, baseTitle = document.title, flashing = null, flashText = "";
  var audio = null, owed = false, MUTED = "wf-alarm-muted";
  window.wfAlertsPlayed = 0;
  window.wfAlarms = { raised: 0 };

  function activeAlarms() {
    var found = {}, now = Date.now();
    document.querySelectorAll("[data-alarm]").forEach(function (el) {
      var when = el.dataset.alarmWhen ? Date.parse(el.dataset.alarmWhen) : NaN;
      if (el.dataset.alarmWhen && !(when <= now)) { return; }
      el.dataset.alarm.split(" ").filter(Boolean).forEach(function (key) {
        found[key] = el.dataset.alarmText || "";
      });
    });
    return found;
  }

  function scanAlarms() {
    var found = activeAlarms();
    if (known === null) { known = found; return; }
    var fresh = Object.keys(found).filter(function (key) { return !(key in known); });
    known = found;
    if (!Object.keys(found).length) { calm(); }  // every unit answered: nothing to call out
    if (fresh.length) { raise(found[fresh[0]]); }
  }

  function raise(text) {
    window.wfAlarms.raised += 1;
    flashText = (document.body.dataset.alarmPrefix || "") + text;
    if (flashing === null) {
      flashing = setInterval(function () {
        document.title = document.title === flashText ? baseTitle : flashText;
      }, 1000);
    }
    document.title = flashText;
    if (muted()) { return; }
    if (audio && audio.state === "running") { beep(); } else { owed = true; }
  }

  function calm() {  // the person is looking: stop flashing
    if (flashing !== null) { clearInterval(flashing); flashing = null; }
    document.title = baseTitle;
  }

  function beep() {
    var at = audio.currentTime;
    [880, 660, 880].forEach(function (hz, i) {
      var tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, at + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.25, at + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.18 + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(at + i * 0.18);
      tone.stop(at + i * 0.18 + 0.17);
    });
    window.wfAlertsPlayed += 1;
  }

  function gesture(e) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    var played = function () { if (owed && !muted()) { owed = false; beep(); } };
    if (audio && audio.state !== "running") { audio.resume().then(played); } else if (audio) { played(); }
    if (flashing !== null && !(e.target.closest && e.target.closest(".sound-toggle"))) {
      calm();
    }
  }
  document.addEventListener("pointerdown", gesture, true);
  document.addEventListener("keydown", gesture, true);

  var mutedNow = (function () {
    try { return window.localStorage.getItem(MUTED) === "1"; } catch (err) { return false; }
  })();
  function muted() { return mutedNow; }

  function showSound() {  // the header's toggle, and its twin in 更多 on a narrow screen
    var off = muted();
    document.querySelectorAll(".sound-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", off ? "false" : "true");
      button.textContent = off ? button.dataset.off : button.dataset.on;
    });
  }

  document.addEventListener("click", function (e) {
    if (!(e.target.closest && e.target.closest(".sound-toggle"))) { return; }
    mutedNow = !mutedNow;
    try {
      if (mutedNow) { window.localStorage.setItem(MUTED, "1"); } else { window.localStorage.removeItem(MUTED); }
    } catch (err) { /* storage refused: the choice holds for this page only */ }
    owed = false;
    showSound();
  });
})();
