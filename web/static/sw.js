// The phone view's service worker (served as /m/sw.js, scope /m; server/pwa.py).
// Online it changes nothing: every request goes to the network. It keeps the shell (htmx,
// css, js) and the last copy of each phone page (/m, /m/incidents/{id}) the signed-in person
// saw, and serves those only when the network fails; the copy is marked (data-offline-copy on
// <body>) so the page says it is not live. Never kept: POST answers, redirects (sign-in),
// any other page (the desk, the ack pages). A copy belongs to one person: a page for someone
// else, a redirect to sign-in, or sign-out (pwa.js; Clear-Site-Data does it too) drops them.
"use strict";

var SHELL_CACHE = "wf-shell-1", PAGES = "wf-pages";
var SHELL = ["/static/vendor/htmx-2.0.11/htmx.min.js", "/static/vendor/htmx-ext-ws-2.0.4/ws.js",
             "/static/app.css", "/static/console.js", "/static/offline.js", "/static/pwa.js",
             "/static/favicon.svg"];
var PAGE = /^\/m(\/incidents\/[0-9a-fA-F-]{36})?$/;
var OWNER = "/m/__owner__";       // a cache entry naming whose pages these are
var USER = /<body[^>]*\sdata-user="([^"]*)"/;
var work = Promise.resolve();     // cache changes one at a time: an owner check and a put must not interleave

function serially(job) {
  work = work.then(job).catch(function () { /* a failed store keeps the older copy */ });
  return work;
}

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL_CACHE).then(function (c) { return c.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== SHELL_CACHE && n !== PAGES; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function forget() { return caches.delete(PAGES); }

// Pages of someone else are dropped before this person's are kept.
function owner(user) {
  return caches.open(PAGES).then(function (c) {
    return c.match(OWNER).then(function (r) { return r ? r.text() : null; }).then(function (was) {
      if (was === user) { return c; }
      return forget().then(function () { return caches.open(PAGES); }).then(function (fresh) {
        return fresh.put(OWNER, new Response(user)).then(function () { return fresh; });
      });
    });
  });
}

function keep(url, res) {
  return serially(function () {
    return res.text().then(function (html) {
      var user = USER.exec(html);
      if (!user) { return; }
      var headers = new Headers(res.headers);  // the page's own CSP goes with the copy
      headers.delete("Content-Length");
      headers.delete("Content-Encoding");
      return owner(user[1]).then(function (c) {
        return c.put(url, new Response(html, { status: 200, headers: headers }));
      });
    });
  });
}

// What to do with a phone page's answer: keep a signed-in page, forget on a redirect.
function remember(url, res) {
  if (res.type === "opaqueredirect" || res.redirected) { return serially(forget); }
  var html = (res.headers.get("Content-Type") || "").indexOf("text/html") === 0;
  if (res.status === 200 && res.type === "basic" && html) { return keep(url, res.clone()); }
  return Promise.resolve();
}

function copy(url) {
  return caches.open(PAGES).then(function (c) { return c.match(url); }).then(function (res) {
    if (!res) { return Response.error(); }  // never seen online: the browser's offline page
    return res.text().then(function (html) {
      return new Response(html.replace("<body ", "<body data-offline-copy "),
                          { status: 200, headers: res.headers });
    });
  });
}

function page(e) {
  var url = new URL(e.request.url).pathname;
  return fetch(e.request).then(function (res) {
    e.waitUntil(remember(url, res));
    return res;
  }, function () { return copy(url); });
}

function shell(request) {
  var path = new URL(request.url).pathname;
  return fetch(request).then(function (res) {
    if (res.ok) {
      var kept = res.clone();
      caches.open(SHELL_CACHE).then(function (c) { return c.put(path, kept); });
    }
    return res;
  }, function () {
    return caches.match(path).then(function (res) { return res || Response.error(); });
  });
}

self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (e.request.mode === "navigate" && PAGE.test(url.pathname) && !url.search) {
    e.respondWith(page(e));
  } else if (SHELL.indexOf(url.pathname) >= 0) {
    e.respondWith(shell(e.request));
  }
});

// From the pages (pwa.js): who is signed in, a page that changed live, a sign-out.
self.addEventListener("message", function (e) {
  var m = e.data || {};
  if (m.type === "user" && typeof m.id === "string") {
    e.waitUntil(serially(function () { return owner(m.id); }));
  } else if (m.type === "refresh" && typeof m.url === "string" && PAGE.test(m.url)) {
    e.waitUntil(fetch(m.url, { credentials: "same-origin", redirect: "manual" })
      .then(function (res) { return remember(m.url, res); }, function () { /* offline */ }));
  } else if (m.type === "signed-out") {
    e.waitUntil(serially(forget));
  }
});
