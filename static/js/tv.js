// SPDX-License-Identifier: AGPL-3.0-or-later
/* TV mode: the podium and the rows follow the board's live diffs and snapshots (from the
   page's one socket, vouch.js), people who move up or down are animated (CSS; none with
   prefers-reduced-motion), wins and tier-ups fill the screen for a moment, and a screen
   with several boards rotates through them. No inline script: this file is all there is. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-tv]");
  if (!holder) return;
  var boardId = holder.dataset.board;
  var podium = holder.querySelector("[data-podium]");
  var list = holder.querySelector("[data-rows]");
  var LIMIT = 10;
  var state = {}; // rank -> [id, name, total]

  function initials(name) {
    var words = String(name).replace(/\./g, " ").split(/\s+/).filter(Boolean);
    return (words.slice(0, 2).map(function (w) { return w.charAt(0); }).join("") || "?").toUpperCase();
  }

  Array.prototype.forEach.call(holder.querySelectorAll("[data-rank]"), function (el) {
    var name = el.querySelector(".podium-name, .name");
    state[el.dataset.rank] = [el.dataset.id, name ? name.textContent : "", el.querySelector(".total").textContent];
  });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function avatar(id, name) {
    var a = el("span", "avatar hue-" + (Number(id) % 6), initials(name));
    a.setAttribute("aria-hidden", "true");
    return a;
  }

  function render(previous) {
    var unit = podium && podium.querySelector(".unit");
    var unitText = unit ? unit.textContent : "";
    var ranks = Object.keys(state).map(Number).sort(function (a, b) { return a - b; }).slice(0, LIMIT);
    var before = {};
    Object.keys(previous).forEach(function (rank) { before[previous[rank][0]] = [Number(rank), previous[rank][2]]; });
    podium.textContent = "";
    list.textContent = "";
    ranks.forEach(function (rank) {
      var row = state[rank];
      var id = row[0], name = row[1], total = row[2];
      var node;
      if (rank <= 3) {
        node = el("li", "podium-place place-" + rank);
        node.appendChild(avatar(id, name));
        node.appendChild(el("span", "podium-name", name));
        var score = el("span", "podium-total");
        score.appendChild(el("span", "total", total));
        score.appendChild(document.createTextNode(" "));
        score.appendChild(el("span", "unit", unitText));
        node.appendChild(score);
        var step = el("span", "podium-step");
        step.appendChild(el("span", "rank", String(rank)));
        node.appendChild(step);
        podium.appendChild(node);
      } else {
        node = el("li", "tv-row");
        node.appendChild(el("span", "rank", String(rank)));
        node.appendChild(avatar(id, name));
        node.appendChild(el("span", "name", name));
        node.appendChild(el("span", "total", total));
        list.appendChild(node);
      }
      node.dataset.id = id;
      node.dataset.rank = rank;
      var was = before[id];
      if (!was) node.classList.add("moved-in");
      else if (was[0] > rank) node.classList.add("moved-up");
      else if (was[0] < rank) node.classList.add("moved-down");
      else if (String(was[1]) !== String(total)) node.classList.add("scored");
    });
    var empty = holder.querySelector("[data-board-empty]");
    if (empty && ranks.length) empty.remove();
    document.body.dataset.boardUpdated = String(Date.now());
  }

  function copy(obj) {
    var out = {};
    Object.keys(obj).forEach(function (k) { out[k] = obj[k]; });
    return out;
  }

  document.addEventListener("vouch:live", function (event) {
    var data = event.detail;
    if (data.type === "toast" && (data.kind === "won" || data.kind === "tier_up")) celebrate(data.text);
    if (data.type !== "board" || data.board !== boardId) return;
    var previous = copy(state);
    if (data.snapshot) state = {};
    Object.keys(data.set || {}).forEach(function (rank) { state[rank] = data.set[rank]; });
    (data.drop || []).forEach(function (rank) { delete state[rank]; });
    render(previous);
  });

  // Full-screen celebrations, one at a time, each for a few seconds.
  var overlay = document.querySelector("[data-celebrate]");
  var queue = [];
  var showing = false;
  function celebrate(text) {
    if (!overlay || !text) return;
    queue.push(text);
    if (!showing) next();
  }
  function next() {
    var text = queue.shift();
    if (!text) { showing = false; overlay.hidden = true; return; }
    showing = true;
    overlay.querySelector("[data-celebrate-text]").textContent = text;
    overlay.hidden = false;
    overlay.classList.remove("go");
    void overlay.offsetWidth; // restart the animation
    overlay.classList.add("go");
    setTimeout(next, 6000);
  }

  // Rotation: a progress bar under the boards' names, then the next board.
  var rotate = Number(document.body.dataset.rotate || 0);
  var nextUrl = document.body.dataset.next;
  if (rotate && nextUrl) {
    var bar = document.querySelector("[data-rotation-bar]");
    if (bar) { bar.style.animationDuration = rotate + "s"; bar.classList.add("run"); }
    setTimeout(function () { location.href = nextUrl; }, rotate * 1000);
  }
})();
