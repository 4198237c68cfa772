// What an htmx swap changed, for screen readers and the keyboard.
//
// A screen reader announces a live region when its text changes, but not one that arrives
// already filled (which is what an htmx swap puts in the page). So base.html keeps two empty
// regions for the whole visit (#live-polite, #live-assertive), and after every swap this
// script copies into them the text of the new content's [data-announce] elements:
//   data-announce            read it after every swap (answer feedback, a new hint);
//   data-announce="changes"  only when its text differs from last time (a job's status, which
//                            is polled every second); give it an id;
//   data-announce="alert"    read it at once, interrupting (a form error).
// It also keeps the keyboard in place: when the swap removed the element that had focus (the
// button just pressed), focus goes to the new content's [data-focus-after-swap] element, else
// its first heading, else the swapped element itself. Swaps the person did not cause (polling)
// never move focus.
(function () {
  "use strict";
  var last = {};
  var timers = {};
  var focusedBefore = null;

  function say(text, urgent) {
    var id = urgent ? "live-assertive" : "live-polite";
    var region = document.getElementById(id);
    if (!region || !text) { return; }
    // Emptied first, then filled a moment later, so the same words are read again.
    region.textContent = "";
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(function () { region.textContent = text; }, 120);
  }

  function textOf(element) {
    return (element.getAttribute("data-announce-text") || element.textContent || "")
      .replace(/\s+/g, " ").trim();
  }

  function swapped(event) {
    var target = event.detail && event.detail.target;
    if (!target) { return null; }
    // An outerHTML swap replaces the target: find its successor by id.
    if (!target.isConnected && target.id) { return document.getElementById(target.id); }
    return target.isConnected ? target : null;
  }

  function announce(root) {
    var polite = [];
    var urgent = [];
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-announce]"));
    if (root.hasAttribute("data-announce")) { found.unshift(root); }
    found.forEach(function (element, index) {
      var mode = element.getAttribute("data-announce");
      var text = textOf(element);
      if (!text) { return; }
      if (mode === "changes") {
        var key = element.id || root.id || String(index);
        if (last[key] === text) { return; }
        last[key] = text;
      }
      (mode === "alert" ? urgent : polite).push(text);
    });
    if (urgent.length) { say(urgent.join(" "), true); }
    if (polite.length) { say(polite.join(" "), false); }
  }

  function keepFocus(root) {
    var lost = focusedBefore && !focusedBefore.isConnected;
    focusedBefore = null;
    if (!lost) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }  // placed already
    var next = root.querySelector("[data-focus-after-swap]") ||
      root.querySelector("h1, h2, h3") || root;
    if (!next.hasAttribute("tabindex") && !next.matches("a[href], button, input, select, textarea")) {
      next.setAttribute("tabindex", "-1");
    }
    next.focus();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var active = document.activeElement;
    focusedBefore = target && active && active !== document.body && target.contains(active)
      ? active : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = swapped(event);
    if (!root) { return; }
    keepFocus(root);
    announce(root);
  });

  // Remember what polled regions say when the page loads, so only a change is read out
  // (an element with data-announce="changes" has an id, which keys it).
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-announce='changes'][id]").forEach(function (element) {
      last[element.id] = textOf(element);
    });
  });
})();
