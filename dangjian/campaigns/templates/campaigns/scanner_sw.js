{% autoescape off %}/* The staff scanner's service worker (served by campaigns.checkin_views.scanner_service_worker).
   It controls only the scanner pages it is registered for and keeps them and their files, so
   that a reload without network still opens the scanner and its queue. Network first: while
   online, everything is fresh; the cache is the fallback. Uploads (POST) are never touched. */
"use strict";
var CACHE = {{ cache_name }};
var ASSETS = {{ assets }};
var SCANNER_PAGE = /^\/activities\/\d+\/scanner\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("dangjian-scanner-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!SCANNER_PAGE.test(url.pathname) && ASSETS.indexOf(url.pathname) < 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // A redirect (to the log-in page) or an error is not the scanner: do not keep it.
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    })
  );
});
{% endautoescape %}
