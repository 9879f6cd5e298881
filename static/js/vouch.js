// SPDX-License-Identifier: AGPL-3.0-or-later
/* Vouch portal: the live connection (toasts now; boards subscribe through it later). */
(function () {
  "use strict";
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
      if (dot) dot.classList.add("on");
      body.dataset.liveState = "open";
      pingTimer = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 25000);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "toast") toast(data.text);
      document.dispatchEvent(new CustomEvent("vouch:live", { detail: data }));
    };
    socket.onclose = function () {
      if (dot) dot.classList.remove("on");
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
  var clocks = document.querySelectorAll("[data-countdown]");
  if (!clocks.length) return;
  function tick() {
    Array.prototype.forEach.call(clocks, function (clock) {
      var left = Math.max(0, new Date(clock.dataset.countdown).getTime() - Date.now());
      var minutes = Math.floor(left / 60000);
      var set = function (unit, value) { var el = clock.querySelector('[data-unit="' + unit + '"]'); if (el) el.textContent = value; };
      set("days", Math.floor(minutes / 1440));
      set("hours", Math.floor((minutes % 1440) / 60));
      set("minutes", minutes % 60);
    });
  }
  tick();
  setInterval(tick, 30000);
})();
