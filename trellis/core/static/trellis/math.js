// Render LaTeX in the page with KaTeX, and again in whatever htmx swaps in.
(function () {
  var options = {
    delimiters: [
      {left: "$$", right: "$$", display: false},
      {left: "\\[", right: "\\]", display: true},
      {left: "\\(", right: "\\)", display: false},
      {left: "$", right: "$", display: false}
    ],
    throwOnError: false
  };
  // OATutor writes all math as $$...$$ inside sentences, so it renders inline. A block that holds
  // nothing but one expression is a formula on its own line: show it in display style, where
  // fractions are full size (a nested fraction in inline style is too small to read).
  function promoteStandaloneFormulas(root) {
    var blocks = root.querySelectorAll("p, div, span, li, label");
    for (var i = 0; i < blocks.length; i++) {
      var el = blocks[i];
      if (el.children.length) { continue; }
      var text = el.textContent.trim();
      if (text.length > 4 && text.slice(0, 2) === "$$" && text.slice(-2) === "$$" &&
          text.split("$$").length === 3 && el.tagName !== "LABEL" && el.tagName !== "SPAN") {
        el.textContent = "\\[" + text.slice(2, -2) + "\\]";
      }
    }
  }
  function render(root) {
    root = root || document.body;
    if (window.renderMathInElement) {
      promoteStandaloneFormulas(root);
      window.renderMathInElement(root, options);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.target); });
  window.trellisRenderMath = render;
})();
