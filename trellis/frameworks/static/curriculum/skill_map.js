/* The skill map: wheel zoom, drag pan and +/−/reset on the SVG viewBox; a standard's arrows
   light up while it is hovered or focused; keyboard focus scrolls the map to the standard; the
   detail panel takes focus when it opens. No library: the SVG is drawn by the server. */
(function () {
  "use strict";

  function setup(svg) {
    var full = { x: 0, y: 0, w: +svg.dataset.width, h: +svg.dataset.height };
    var minW = 300;

    // Start readable: real size (never below 70%) from the top left, rather than the whole
    // map shrunk to fit; "Whole map" shows everything.
    function initial() {
      var cw = svg.clientWidth || 800, ch = svg.clientHeight || 600;
      var scale = Math.max(0.7, Math.min(1, cw / full.w));
      var w = cw / scale, h = ch / scale;
      return { x: full.w < w ? (full.w - w) / 2 : 0, y: 0, w: w, h: h };
    }
    function whole() {
      var cw = svg.clientWidth || 800, ch = svg.clientHeight || 600;
      var scale = Math.min(cw / full.w, ch / full.h);
      var w = cw / scale, h = ch / scale;
      return { x: (full.w - w) / 2, y: (full.h - h) / 2, w: w, h: h };
    }
    var view = initial();
    var maxW = Math.max(whole().w * 1.3, view.w);
    apply();

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) { return v.toFixed(1); }).join(" "));
    }
    function toSvg(clientX, clientY) {
      var ctm = svg.getScreenCTM();
      if (!ctm) { return { x: view.x + view.w / 2, y: view.y + view.h / 2 }; }
      var inv = ctm.inverse();
      return { x: inv.a * clientX + inv.c * clientY + inv.e, y: inv.b * clientX + inv.d * clientY + inv.f };
    }
    function zoom(factor, at) {
      var w = Math.max(minW, Math.min(maxW, view.w * factor));
      var k = w / view.w;
      view.x = at.x - (at.x - view.x) * k;
      view.y = at.y - (at.y - view.y) * k;
      view.w = w; view.h = view.h * k;
      apply();
    }
    function centre() { return { x: view.x + view.w / 2, y: view.y + view.h / 2 }; }

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      zoom(Math.exp(event.deltaY * 0.0015), toSvg(event.clientX, event.clientY));
    }, { passive: false });

    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
      if (!moved) { moved = true; svg.classList.add("dragging"); }
      var ctm = svg.getScreenCTM(), scale = ctm ? ctm.a : 1;
      view.x = drag.vx - dx / scale;
      view.y = drag.vy - dy / scale;
      apply();
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      svg.classList.remove("dragging");
    });
    // a drag that ends on a standard must not open it
    svg.addEventListener("click", function (event) {
      if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; }
    }, true);

    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.dataset.zoom;
        if (kind === "in") { zoom(1 / 1.3, centre()); }
        else if (kind === "out") { zoom(1.3, centre()); }
        else if (kind === "whole") { view = whole(); apply(); }
        else { view = initial(); apply(); }
      });
    });

    var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
    function light(code) {
      svg.classList.add("lit-mode");
      edges.forEach(function (edge) {
        var on = edge.dataset.from === code || edge.dataset.to === code;
        edge.classList.toggle("lit", on);
        edge.setAttribute("marker-end", on ? "url(#arrow-lit)" : "url(#arrow)");
      });
    }
    function unlight() {
      svg.classList.remove("lit-mode");
      edges.forEach(function (edge) { edge.classList.remove("lit"); edge.setAttribute("marker-end", "url(#arrow)"); });
    }
    function reveal(node) {
      var rect = node.querySelector("rect");
      var x = +rect.getAttribute("x"), y = +rect.getAttribute("y");
      var w = +rect.getAttribute("width"), h = +rect.getAttribute("height");
      if (x < view.x || y < view.y || x + w > view.x + view.w || y + h > view.y + view.h) {
        view.x = x + w / 2 - view.w / 2;
        view.y = y + h / 2 - view.h / 2;
        apply();
      }
    }
    svg.querySelectorAll(".node").forEach(function (node) {
      node.addEventListener("mouseenter", function () { light(node.dataset.code); });
      node.addEventListener("mouseleave", function () { if (document.activeElement !== node) { unlight(); } });
      node.addEventListener("focus", function () { light(node.dataset.code); reveal(node); });
      node.addEventListener("blur", unlight);
      node.addEventListener("click", function () {
        svg.querySelectorAll(".node.selected").forEach(function (other) { other.classList.remove("selected"); });
        node.classList.add("selected");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("skill-map");
    if (svg) { setup(svg); }
  });
  // the standard's details arrived: move focus there, so keyboard users land on them
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "standard-panel") {
      var heading = target.querySelector("h2");
      if (heading) { heading.focus(); }
    }
  });
})();
