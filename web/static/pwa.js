// The phone view as an app that opens without signal (the worker: web/static/sw.js).
// Phone pages register the worker; every page tells it who is signed in (so one person's
// copies are never shown to another) and a sign-out makes it forget. A copy served offline
// (body[data-offline-copy], its banner shown by app.css) sends its queued ticks (offline.js)
// and reloads as the live page once the network is back.
(function () {
  "use strict";

  if (!("serviceWorker" in navigator)) { return; }
  var SCOPE = "/m", body = document.body, tries = 0, refreshing = null;

  function tell(message) {
    return navigator.serviceWorker.getRegistration(SCOPE).then(function (reg) {
      var worker = reg && (reg.active || reg.waiting || reg.installing);
      if (worker) { worker.postMessage(message); }
    });
  }

  // Back online: the queue first (a reload must not cut a send short), then the live page.
  // A tick that cannot go (signed out meanwhile) stays queued; after a few tries we reload anyway.
  function goLive() {
    window.wfOutbox.flush().then(window.wfOutbox.all).then(function (left) {
      if (!left.length || ++tries > 10) { window.location.reload(); } else { setTimeout(goLive, 1000); }
    }, function () { setTimeout(goLive, 1000); });
  }

  // A live page that changed: the worker fetches it again, so its copy is the latest one.
  function keepFresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(function () { tell({ type: "refresh", url: location.pathname }); }, 2000);
  }

  document.addEventListener("submit", function (e) {
    if (e.target.getAttribute("action") === "/logout") { tell({ type: "signed-out" }); }
  });

  if (body.dataset.user) { tell({ type: "user", id: body.dataset.user }); }
  if (!body.classList.contains("phone")) { return; }
  navigator.serviceWorker.register("/m/sw.js", { scope: SCOPE }).catch(function () {
    /* no worker (a private window): the page works, only not offline */
  });
  if ("offlineCopy" in body.dataset) {
    window.addEventListener("online", goLive);
  } else {
    document.addEventListener("htmx:wsAfterMessage", keepFresh);
  }
})();
