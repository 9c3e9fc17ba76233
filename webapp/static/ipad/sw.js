// The in-meeting view's service worker: the app shell and every page of the view it has
// shown are kept, so a reload without a connection still opens the started meeting (with
// the changes waiting in the device's outbox). Pages are network-first: when online, the
// CMS's current content always wins.
"use strict";

var CACHE = "sales-cms-ipad-v5";
var SHELL = ["/static/ipad/ipad.css", "/static/ipad/outbox.js", "/static/ipad/ipad.js",
             "/static/ipad/present.js", "/static/vendor/htmx.min.js", "/static/vendor/Sortable.min.js",
             "/static/ipad/manifest.webmanifest",
             "/static/ipad/icon-192.png"];

// From the CMS, not the browser's HTTP cache (static files may be kept a day there): the
// shell's files must be of one version, outbox.js with the ipad.js that uses it.
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, {cache: "reload"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// Only pages are kept: fragments (catalogue results, the summary frame with its ?at= stamp)
// would pile up, and another search's results are no answer to this one.
function fromNetworkFirst(request) {
  var page = request.mode === "navigate";
  return fetch(request).then(function (response) {
    if (page && response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreVary: true}).then(function (exact) {
      return exact || (page ? caches.match(request, {ignoreVary: true, ignoreSearch: true}) : null);
    }).then(function (cached) {
      return cached || new Response(
        "<!doctype html><title>Offline</title><p>You are offline and this page was not " +
        "opened before on this device.</p>", {status: 503, headers: {"Content-Type": "text/html"}});
    });
  });
}

function fromCacheFirst(request) {
  return caches.match(request).then(function (cached) {
    var fresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    return cached || fresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheFirst(request));
  } else if (url.pathname.indexOf("/ipad/") === 0 && url.pathname !== "/ipad/sw.js") {
    event.respondWith(fromNetworkFirst(request));
  }
});

// A page asks to be kept as soon as it is shown (its first load came before the worker) and
// when its changes have synced. Once the copy is kept the page is told, with the `seq` it
// sent: the values it saved up to then are in the copy (see Outbox.forget). A page that
// did not come (offline, or signed out: a redirect to the login page) is not kept.
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep;
  var client = event.source;
  if (url && new URL(url).origin === self.location.origin) {
    event.waitUntil(fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("not kept");
      return caches.open(CACHE).then(function (cache) { return cache.put(url, response); });
    }).then(function () {
      if (client) client.postMessage({kept: url, seq: event.data.seq});
    }).catch(function () {}));
  }
});
