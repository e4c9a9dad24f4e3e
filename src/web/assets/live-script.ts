/**
 * The page's only script: live updates without reloading. Served as a file from /static
 * (the CSP allows scripts from this origin only, and no inline script), so it lives here as
 * text: tsc copies no .js files into dist/, and a string ships with the build as it is.
 *
 * It listens to `/api/live` (server-sent events) and swaps in the HTML the server rendered
 * for each `data-region` of the page; when the stream cannot be kept open (a proxy that
 * buffers, an old browser) it polls the same URL every 3 s. A 401 means the session ended:
 * reloading leads to the login page. Written in ES5-level JavaScript for old phones; the
 * browser tests run it in real Chromium.
 */
export const LIVE_SCRIPT = String.raw`(function () {
  'use strict';
  var root = document.documentElement;
  var page = root.getAttribute('data-live');
  if (!page || !window.fetch) return;
  var query = root.getAttribute('data-live-query') || '';
  var url = '/api/live?page=' + encodeURIComponent(page) + (query ? '&' + query : '');
  var indicator = document.getElementById('live');
  var lostText = indicator ? indicator.getAttribute('data-lost') || '' : '';
  function mark(ok, text) {
    if (!indicator) return;
    indicator.className = ok ? 'live' : 'live lost';
    if (text) indicator.textContent = text;
  }
  function apply(data) {
    var regions = data.regions || {};
    var els = document.querySelectorAll('[data-region]');
    for (var i = 0; i < els.length; i++) {
      var name = els[i].getAttribute('data-region');
      if (Object.prototype.hasOwnProperty.call(regions, name)) els[i].innerHTML = regions[name];
    }
    mark(true, data.updated);
    root.setAttribute('data-live-version', String(data.version));
  }
  function poll() {
    fetch(url + '&once=1', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (d) { if (d) apply(d); }, function () { mark(false, lostText); })
      .then(function () { setTimeout(poll, 3000); });
  }
  if (!window.EventSource) { poll(); return; }
  var failures = 0;
  var source = new EventSource(url);
  source.addEventListener('update', function (e) { failures = 0; apply(JSON.parse(e.data)); });
  source.onerror = function () {
    failures++;
    mark(false, lostText);
    if (source.readyState === 2 || failures > 3) { source.close(); poll(); }
  };
})();
`;
