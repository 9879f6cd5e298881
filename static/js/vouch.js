// SPDX-License-Identifier: AGPL-3.0-or-later
/* Vouch portal: the live connection (toasts now; boards subscribe through it later).
   Words come from Django's JavaScript catalog (/i18n/js/<lang>.js, loaded first). */
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

  var dot = document.querySelector("[data-live-dot]");
  var toasts = document.querySelector(".toasts");
  var delay = 1000;
  var pingTimer = null;

  function toast(text) {
    if (!toasts || !text) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.textContent = text;
    toasts.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/live/");
    socket.onopen = function () {
      delay = 1000;
      if (dot) {
        dot.classList.add("on");
        dot.title = gettext("Live updates: connected");
      }
      body.dataset.liveState = "open";
      pingTimer = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 25000);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "toast") toast(data.text);
      document.dispatchEvent(new CustomEvent("vouch:live", { detail: data }));
    };
    socket.onclose = function () {
      if (dot) {
        dot.classList.remove("on");
        dot.title = gettext("Live updates: reconnecting…");
      }
      body.dataset.liveState = "closed";
      clearInterval(pingTimer);
      // Reconnect by itself after a server restart or a network blip, backing off.
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
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
