// The in-meeting view's service worker: the app shell and every page of the view it has
// shown are kept, so a reload without a connection still opens the started meeting (with
// the changes waiting in the device's outbox). Pages are network-first: when online, the
// CMS's current content always wins.
"use strict";

var CACHE = "sales-cms-ipad-v6";
// Artwork and videos kept for the day's meetings: answered from here before the network.
var MEDIA = "sales-cms-ipad-media-v1";
// The view's own scripts and stylesheet are served minified, from build/ (see the Makefile).
var SHELL = ["/static/build/ipad/ipad.css", "/static/build/ipad/outbox.js",
             "/static/build/ipad/ipad.js", "/static/build/ipad/present.js",
             "/static/vendor/htmx.min.js", "/static/vendor/Sortable.min.js",
             "/static/ipad/manifest.webmanifest", "/static/ipad/icon-192.png"];

// From the CMS, not the browser's HTTP cache (static files may be kept a day there): the
// shell's files must be of one version, outbox.js with the ipad.js that uses it.
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, {cache: "reload"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE && k !== MEDIA; })
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

// A kept video asked for in ranges (as <video> does) gets the range it asked for.
function ranged(request, response) {
  var range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("Range") || "");
  if (!range || response.type === "opaque") return response;
  return response.blob().then(function (blob) {
    var start = range[1] ? Number(range[1]) : Math.max(0, blob.size - Number(range[2]));
    var end = range[1] && range[2] ? Math.min(Number(range[2]), blob.size - 1) : blob.size - 1;
    return new Response(blob.slice(start, end + 1), {status: 206, headers: {
      "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": "bytes " + start + "-" + end + "/" + blob.size,
      "Content-Length": String(end - start + 1)}});
  });
}

function fromKept(request) {
  return caches.open(MEDIA).then(function (cache) {
    return cache.match(request.url);
  }).then(function (kept) {
    return kept ? ranged(request, kept) : fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET") return;
  if (url.origin !== self.location.origin) {
    if (request.destination === "video") event.respondWith(fromKept(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheFirst(request));
  } else if (url.pathname.indexOf("/ipad/") === 0 && url.pathname !== "/ipad/sw.js") {
    event.respondWith(fromNetworkFirst(request));
  } else if (request.destination === "image" || request.destination === "video" ||
             url.pathname.indexOf("/media/") === 0) {
    event.respondWith(fromKept(request));
  }
});

// --- Ready offline --------------------------------------------------------------------
// The day page asks, for each of its meetings, that its page, artwork and (if the host
// keeps videos) videos be kept; the answer, on the port it sent, counts what could not be.
// Pages are fetched again (the CMS's content now); artwork and videos already kept are not.
function kept(url, cacheName, again) {
  var sameOrigin = new URL(url, self.location.href).origin === self.location.origin;
  return caches.open(cacheName).then(function (cache) {
    return cache.match(url, {ignoreVary: true}).then(function (found) {
      if (found && !again) return true;
      return fetch(url, {credentials: "same-origin", mode: sameOrigin ? "same-origin" : "no-cors"})
        .then(function (response) {
          if (response.redirected || !(response.ok || response.type === "opaque")) {
            throw new Error("not kept");
          }
          return cache.put(url, response).then(function () { return true; });
        })
        .catch(function () { return Boolean(found); });
    });
  });
}

function missing(urls, cacheName, again) {
  return Promise.all((urls || []).map(function (url) { return kept(url, cacheName, again); }))
    .then(function (done) { return done.filter(function (ok) { return !ok; }).length; });
}

function prepare(data) {
  return Promise.all([missing(data.pages, CACHE, true), missing(data.artwork, MEDIA, false),
                      missing(data.videos, MEDIA, false)])
    .then(function (counts) {
      return {prepared: data.prepare, missing: {pages: counts[0], artwork: counts[1], videos: counts[2]}};
    });
}

// A page asks to be kept as soon as it is shown (its first load came before the worker) and
// when its changes have synced. Once the copy is kept the page is told, with the `seq` it
// sent: the values it saved up to then are in the copy (see Outbox.forget). A page that
// did not come (offline, or signed out: a redirect to the login page) is not kept.
self.addEventListener("message", function (event) {
  if (event.data && event.data.prepare && event.ports && event.ports[0]) {
    var port = event.ports[0];
    event.waitUntil(prepare(event.data).then(function (answer) { port.postMessage(answer); }));
    return;
  }
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
