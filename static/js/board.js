// SPDX-License-Identifier: AGPL-3.0-or-later
/* Live boards: apply compact diffs from /ws/boards/<id>/ with a small animation, resync
   after reconnects, rotate TV screens. No inline script: this file is all there is. */
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var holder = document.querySelector("[data-board]");
  if (!holder) return;
  var boardId = holder.dataset.board;
  var token = holder.dataset.token || "";
  var me = holder.dataset.me || "";
  var limit = Number(holder.dataset.limit || 0); // a widget shows only its top N
  var table = holder.querySelector("[data-board-table] tbody");
  var dot = document.querySelector("[data-board-dot]");
  var delay = 1000;

  function rowFor(rank) {
    var row = table.querySelector('tr[data-rank="' + rank + '"]');
    if (!row) {
      row = document.createElement("tr");
      row.dataset.rank = rank;
      row.innerHTML = '<td class="num rank"></td><td class="name"></td><td class="num total"></td>';
      var after = Array.prototype.find.call(table.rows, function (r) { return Number(r.dataset.rank) > Number(rank); });
      table.insertBefore(row, after || null);
      var empty = holder.querySelector("[data-board-empty]");
      if (empty) empty.remove();
    }
    return row;
  }

  function apply(diff) {
    Object.keys(diff.set || {}).forEach(function (rank) {
      if (limit && Number(rank) > limit) return;
      var values = diff.set[rank];
      var row = rowFor(rank);
      row.dataset.id = values[0];
      row.querySelector(".rank").textContent = rank;
      row.querySelector(".name").textContent = values[1];
      row.querySelector(".total").textContent = values[2];
      row.classList.toggle("me", String(values[0]) === me);
      if (String(values[0]) === me) {
        var myRank = document.querySelector("[data-my-rank]");
        var myTotal = document.querySelector("[data-my-total]");
        if (myRank) myRank.textContent = "#" + rank;
        if (myTotal) myTotal.textContent = values[2];
      }
      row.classList.remove("flash");
      void row.offsetWidth; // restart the animation
      row.classList.add("flash");
    });
    (diff.drop || []).forEach(function (rank) {
      var row = table.querySelector('tr[data-rank="' + rank + '"]');
      if (row) row.remove();
    });
    document.body.dataset.boardUpdated = String(Date.now());
  }

  function resync() {
    if (!holder.dataset.json) return;
    fetch(holder.dataset.json, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var set = {};
      data.rows.forEach(function (r) { set[String(r.rank)] = [r.id, r.name, r.total]; });
      var drop = Array.prototype.map.call(table.rows, function (r) { return r.dataset.rank; }).filter(function (k) { return !(k in set); });
      apply({ set: set, drop: drop });
    }).catch(function () {});
  }

  function toast(text) {
    var box = document.querySelector(".toasts");
    if (!box || !text) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function connect(first) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/ws/boards/" + encodeURIComponent(boardId) + "/" + (token ? "?tv=" + encodeURIComponent(token) : "");
    var socket = new WebSocket(url);
    socket.onopen = function () {
      delay = 1000;
      if (dot) {
        dot.classList.add("on");
        dot.title = gettext("Live: ranks update as referrals move.");
      }
      document.body.dataset.boardLive = "open";
      if (!first) resync();
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "board" && data.board === boardId) apply(data);
      if (data.type === "toast" && document.body.classList.contains("tv")) toast(data.text);
    };
    socket.onclose = function (event) {
      if (dot) {
        dot.classList.remove("on");
        dot.title = gettext("Live updates: reconnecting…");
      }
      document.body.dataset.boardLive = "closed";
      if (event.code === 4403) return; // not allowed (or a revoked TV link): do not retry
      setTimeout(function () { connect(false); }, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect(true);

  var rotate = Number(document.body.dataset.rotate || 0);
  var next = document.body.dataset.next;
  if (rotate && next) setTimeout(function () { location.href = next; }, rotate * 1000);
})();
