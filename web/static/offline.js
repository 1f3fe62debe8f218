// Ticks and welfare checks that survive a lost network: kept in IndexedDB (durable), shown as pending, sent in
// order with their idempotency keys when the network returns, on page load and when the page
// becomes visible again (Background Sync exists only in Chromium, so we do not rely on it).
(function () {
  "use strict";

  var DB = "watchfloor", STORE = "outbox", flushing = false, again = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        Promise.resolve(work(t.objectStore(STORE))).then(function (r) { result = r; });
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all() {
    return tx("readonly", function (store) {
      return new Promise(function (resolve) {
        var req = store.getAll();
        req.onsuccess = function () { resolve(req.result); };
      });
    });
  }

  // A second tap on an item already waiting adds nothing (sent later, it would only be
  // refused as already done); the check and the add are one transaction, so taps cannot race.
  // A welfare check recorded twice offline is two observations: both are kept.
  function enqueue(record) {
    return tx("readwrite", function (s) {
      var req = s.getAll();
      req.onsuccess = function () {
        var queued = req.result.some(function (r) { return r.url === record.url; });
        if (!queued || record.kind !== "tick") { s.add(record); }  // each check is its own
      };
    });
  }
  function remove(seq) { return tx("readwrite", function (s) { s.delete(seq); }); }

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  function markPending(records) {
    document.querySelectorAll(".pending").forEach(function (el) { el.classList.remove("pending"); });
    records.forEach(function (r) {
      var el = document.getElementById(r.mark || "item-" + r.item);  // a tick's row, a check's card
      if (el) { el.classList.add("pending"); el.dataset.pendingText = document.body.dataset.pendingText; }
    });
    document.body.classList.toggle("has-pending", records.length > 0);
  }

  function refresh() { return all().then(markPending); }

  // A tick with a file keeps its fields and the File itself (IndexedDB stores Blobs), and is
  // sent as multipart; the same idempotency key on every try, so it lands once.
  function send(record) {
    var headers = { "X-CSRF-Token": csrf(), "Idempotency-Key": record.key, "HX-Request": "true" };
    var body = record.body;
    if (record.parts) {
      body = new FormData();
      record.parts.forEach(function (p) {
        if (p[1] instanceof Blob) { body.append(p[0], p[1], p[2]); } else { body.append(p[0], p[1]); }
      });
    } else {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    return fetch(record.url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
  }

  // The form's fields; with a chosen file, as parts (name, value, file name), else as text.
  function formRecord(form, record) {
    var data = new FormData(form), parts = [], hasFile = false;
    data.forEach(function (value, name) {
      if (value instanceof File) {
        if (value.size > 0 || value.name) { hasFile = true; parts.push([name, value, value.name]); }
      } else { parts.push([name, value]); }
    });
    if (hasFile) { record.parts = parts; } else {
      record.body = new URLSearchParams(parts.map(function (p) { return [p[0], p[1]]; })).toString();
    }
    return record;
  }

  function showError(text) {
    var flash = document.getElementById("flash");
    if (flash) { flash.innerHTML = text; }
  }

  // Send what is queued, oldest first; stop at the first network failure and try later.
  function flush() {
    if (!navigator.onLine) { return Promise.resolve(); }
    if (flushing) { again = true; return Promise.resolve(); }  // a tick queued meanwhile
    flushing = true;
    again = false;
    return all().then(function loop(records) {
      if (!records.length) { return; }
      var record = records[0];
      return send(record).then(function (res) {
        if (res.status === 401 || res.status === 403 || res.status >= 500) {
          return; // keep it: sign in again, or the server is struggling; retried later
        }
        if (!res.ok) { res.text().then(showError); }  // refused (e.g. already done): shown, dropped
        return remove(record.seq).then(function () { return loop(records.slice(1)); });
      });
    }).catch(function () { /* offline: kept for later */ })
      .then(function () { flushing = false; return again ? flush() : refresh(); });
  }

  // Ticks and welfare checks go through the queue, so offline and online behave the same.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt.closest ? e.detail.elt.closest("form[data-offline]") : null;
    if (!form) { return; }
    e.preventDefault();
    var record = formRecord(form, { key: window.wfNewKey(), url: form.getAttribute("action"),
                                    kind: form.dataset.offline, item: form.dataset.item,
                                    mark: form.dataset.mark, at: new Date().toISOString() });
    if (record.kind === "check") { form.reset(); }  // taken: its answers cleared for the next
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      input.value = "";
      delete input.closest("label").dataset.chosen;
    });
    showError("");  // a new try: the last refusal is read
    enqueue(record).then(refresh).then(flush);
  });

  // The chosen file's name on its label (the input itself is hidden: see app.css).
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('.attach input[type="file"]')) { return; }
    var label = input.closest("label");
    if (input.files.length) { label.dataset.chosen = input.files[0].name; } else { delete label.dataset.chosen; }
  });

  // Signing out clears what this phone keeps (Clear-Site-Data, the service worker's copies),
  // the queue too: try to send it first, and ask before dropping what still cannot go.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.getAttribute("action") !== "/logout" || form.dataset.confirmed) { return; }
    e.preventDefault();
    e.stopImmediatePropagation();  // before pwa.js hears of it: nothing is cleared yet
    flush().then(all).then(function (records) {
      var ask = (document.body.dataset.logoutPending || "").replace("{n}", records.length);
      if (records.length && !window.confirm(ask)) { return; }
      form.dataset.confirmed = "1";
      form.requestSubmit();
    });
  }, true);

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  document.addEventListener("htmx:wsAfterMessage", refresh);
  document.addEventListener("DOMContentLoaded", function () {
    refresh().then(flush);
    setInterval(flush, 10000);
  });
  window.wfOutbox = { all: all, flush: flush };
})();
