// SPDX-License-Identifier: AGPL-3.0-or-later
/* Vouch portal: the page's one live connection. It carries the toasts, the person's own
   figures and, on a page with a board ([data-board]), that board's diffs; board.js listens
   to the "vouch:live" events it dispatches. One socket per page, so one toast per event.
   Reconnects with jittered exponential back-off; while it cannot, the page says it is
   offline and keeps what it shows. A board page gets the current board on every
   (re)connect. Words come from Django's JavaScript catalog (/i18n/js/<lang>.js). */
(function () {
  "use strict";
  // A table wider than a phone scrolls inside its wrapper: keyboard users can focus the
  // wrapper and scroll it with the arrow keys (WCAG 2.1.1).
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) wrap.setAttribute("tabindex", "0");
      else wrap.removeAttribute("tabindex");
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();

(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var body = document.body;
  if (!body || body.dataset.live !== "on" || !("WebSocket" in window)) return;

  var holder = document.querySelector("[data-board]");
  var dots = document.querySelectorAll("[data-live-dot], [data-board-dot]");
  var toasts = document.querySelector(".toasts");
  var attempt = 0;
  var myId = null; // the person reading: the socket's hello says who
  var pingTimer = null;
  var offlineTimer = null;
  var banner = null;
  var OFFLINE_AFTER_MS = 2000;

  function toast(text) {
    if (!toasts || !text) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.textContent = text;
    toasts.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function setDots(on, title) {
    Array.prototype.forEach.call(dots, function (dot) {
      dot.classList.toggle("on", on);
      dot.title = title;
    });
  }

  function offline(show) {
    if (show && !banner) {
      banner = document.createElement("div");
      banner.className = "live-offline";
      banner.setAttribute("role", "status");
      banner.dataset.liveOffline = "";
      banner.textContent = gettext("Live updates are offline: this page shows the last state it received. Reconnecting…");
      body.insertBefore(banner, body.firstChild);
    } else if (!show && banner) {
      banner.remove();
      banner = null;
    }
    body.dataset.liveState = show ? "offline" : body.dataset.liveState;
  }

  // Full jitter: a random wait up to a cap that doubles per failed attempt (1 s to 30 s),
  // so thousands of pages reconnecting after a restart arrive spread out.
  function backoff() {
    var cap = Math.min(30000, 1000 * Math.pow(2, attempt));
    attempt += 1;
    return 250 + Math.random() * cap;
  }

  function url() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var query = [];
    if (holder && holder.dataset.board) query.push("board=" + encodeURIComponent(holder.dataset.board));
    if (holder && holder.dataset.token) query.push("tv=" + encodeURIComponent(holder.dataset.token));
    return scheme + location.host + "/ws/live/" + (query.length ? "?" + query.join("&") : "");
  }

  function connect() {
    var socket = new WebSocket(url());
    socket.onopen = function () {
      attempt = 0;
      clearTimeout(offlineTimer);
      offlineTimer = null;
      offline(false);
      setDots(true, gettext("Live updates: connected"));
      body.dataset.liveState = "open";
      pingTimer = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 25000);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "hello") myId = data.user || null;
      // A toast about the person reading comes worded for them ("You reached Gold!") on
      // their own channel; the one worded for everyone else is skipped here.
      if (data.type === "toast" && !(data.about && data.about === myId)) toast(data.text);
      document.dispatchEvent(new CustomEvent("vouch:live", { detail: data }));
    };
    socket.onclose = function (event) {
      setDots(false, gettext("Live updates: reconnecting…"));
      if (body.dataset.liveState !== "offline") body.dataset.liveState = "closed";
      clearInterval(pingTimer);
      if (event.code === 4401 || event.code === 4403) return; // not allowed: do not retry
      // Offline once the socket has stayed closed a moment (a dropped client that
      // reconnects at once shows nothing).
      if (!offlineTimer && !banner) {
        offlineTimer = setTimeout(function () { offlineTimer = null; offline(true); }, OFFLINE_AFTER_MS);
      }
      setTimeout(connect, backoff());
    };
  }
  connect();
})();

/* Contest countdowns on content pages: tick every 30 seconds. */
(function () {
  "use strict";
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var clocks = document.querySelectorAll("[data-countdown]");
  if (!clocks.length) return;
  function tick() {
    Array.prototype.forEach.call(clocks, function (clock) {
      var left = Math.max(0, new Date(clock.dataset.countdown).getTime() - Date.now());
      var minutes = Math.floor(left / 60000);
      var set = function (unit, value, label) {
        var el = clock.querySelector('[data-unit="' + unit + '"]');
        if (el) el.textContent = value;
        var word = clock.querySelector('[data-unit-label="' + unit + '"]');
        if (word) word.textContent = label;  // "1 day", "2 days": the language's plural form
      };
      var days = Math.floor(minutes / 1440);
      var hours = Math.floor((minutes % 1440) / 60);
      set("days", days, ngettext("day", "days", days));
      set("hours", hours, ngettext("hour", "hours", hours));
      set("minutes", minutes % 60, ngettext("minute", "minutes", minutes % 60));
    });
  }
  tick();
  setInterval(tick, 30000);
})();

/* The person's own figures, live: one "me" payload carries every figure of their
   dashboard, read at one moment and rendered as on load ([data-live-part] blocks), so the
   balance, tier, counts, latest referrals and board rank change together and agree. */
(function () {
  "use strict";
  function replacePart(name, html) {
    var current = document.querySelector('[data-live-part="' + name + '"]');
    if (!current || typeof html !== "string") return;
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector('[data-live-part="' + name + '"]');
    if (fresh) current.replaceWith(fresh);
  }
  document.addEventListener("vouch:live", function (event) {
    var data = event.detail;
    if (!data || data.type !== "me") return;
    var parts = data.parts || {};
    Object.keys(parts).forEach(function (name) { replacePart(name, parts[name]); });
    // A referral's own page whose status just changed: its timeline is read again.
    document.querySelectorAll('[data-live-part="lead"]').forEach(function (part) {
      var status = (data.leads || {})[part.dataset.lead];
      if (!status || status === part.dataset.status || !window.fetch) return;
      fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector('[data-live-part="lead"]');
        if (fresh) part.replaceWith(document.importNode(fresh, true));
      });
    });
    // Figures shown outside the dashboard's blocks (a balance in a page header).
    document.querySelectorAll('[data-fig="balance"]').forEach(function (el) {
      if (!el.closest("[data-live-part]")) el.textContent = data.balance;
    });
    document.body.dataset.figuresUpdated = String(Date.now());
  });
})();

/* Copy a link or message with one tap ([data-copy]="#field" or [data-copy-text]="text"),
   and print a page ([data-print]). */
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  function statusNear(button) {
    var scope = button.closest("[data-share-panel], .share-bar") || document;
    return scope.querySelector("[data-copy-status]");
  }
  function copied(button, ok) {
    var status = statusNear(button);
    if (status) status.textContent = ok ? gettext("Copied to the clipboard.") : gettext("Select the text and copy it.");
    button.dataset.copied = ok ? "yes" : "no";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-text], [data-print]");
    if (!button) return;
    if (button.hasAttribute("data-print")) { window.print(); return; }
    var field = button.dataset.copy ? document.querySelector(button.dataset.copy) : null;
    var text = field ? field.value : button.dataset.copyText;
    if (!text) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button, true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      var ok = false;
      if (field) {
        field.focus();
        field.select();
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      }
      copied(button, ok);
    }
  });
})();
