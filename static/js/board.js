// SPDX-License-Identifier: AGPL-3.0-or-later
/* Live boards: apply the compact diffs and snapshots that the page's one live socket
   (vouch.js) receives for this board, with a small animation; rotate TV screens.
   No inline script: this file is all there is. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-board]");
  if (!holder) return;
  var boardId = holder.dataset.board;
  var me = holder.dataset.me || "";
  var limit = Number(holder.dataset.limit || 0); // a widget shows only its top N
  // Looked up each time: the dashboard's live figures replace the board block whole.
  var tableOf = function () { return holder.querySelector("[data-board-table] tbody"); };

  function rowFor(table, rank) {
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
    var table = tableOf();
    if (!table) return;
    Object.keys(diff.set || {}).forEach(function (rank) {
      if (limit && Number(rank) > limit) return;
      var values = diff.set[rank];
      var row = rowFor(table, rank);
      var same = row.dataset.id === String(values[0]) && row.querySelector(".total").textContent === String(values[2]);
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
        document.querySelectorAll('[data-fig="board_score"]').forEach(function (el) { el.textContent = values[2]; });
      }
      if (same) return; // a snapshot repeating what is shown: no flash
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

  // The socket's snapshot on every (re)connect: the whole board, so rows it no longer
  // has go (no replay of the diffs missed while offline).
  function snapshot(data) {
    var table = tableOf();
    if (!table) return;
    var set = data.set || {};
    var drop = Array.prototype.map.call(table.rows, function (r) { return r.dataset.rank; })
      .filter(function (rank) { return rank && !(rank in set); });
    apply({ set: set, drop: drop });
  }

  document.addEventListener("vouch:live", function (event) {
    var data = event.detail;
    if (data.type !== "board" || data.board !== boardId) return;
    if (data.snapshot) snapshot(data);
    else apply(data);
  });

  var rotate = Number(document.body.dataset.rotate || 0);
  var next = document.body.dataset.next;
  if (rotate && next) setTimeout(function () { location.href = next; }, rotate * 1000);
})();
