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
  // A formula in words, from its TeX, for the name of a control: browsers compute no name from
  // MathML, so a choice "−10, −8, −6" drawn by KaTeX would be an unnamed radio button.
  var WORDS = [
    [/\\d?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1 over $2"],
    [/\\sqrt\s*\{([^{}]*)\}/g, "square root of $1"],
    [/\^\s*(?:2|\{2\})(?!\d)/g, " squared"], [/\^\s*(?:3|\{3\})(?!\d)/g, " cubed"],
    [/\^\s*\{([^{}]*)\}/g, " to the power $1"], [/\^\s*(\S)/g, " to the power $1"],
    [/_\s*\{([^{}]*)\}/g, " sub $1"],
    [/\\(cdot|times)/g, " times "], [/\\div/g, " divided by "], [/\\pm/g, " plus or minus "],
    [/\\(le|leq)\b/g, " ≤ "], [/\\(ge|geq)\b/g, " ≥ "], [/\\(ne|neq)\b/g, " ≠ "],
    [/\\pi\b/g, "pi"], [/\\%/g, "%"], [/\\(left|right|big|Big)\b/g, ""],
    [/\\[a-zA-Z]+/g, " "], [/[{}$]/g, ""], [/-/g, "−"]
  ];
  function spoken(tex) {
    var text = tex;
    for (var round = 0; round < 3; round++) {  // nested fractions and roots, inside out
      WORDS.slice(0, 2).forEach(function (rule) { text = text.replace(rule[0], rule[1]); });
    }
    WORDS.forEach(function (rule) { text = text.replace(rule[0], rule[1]); });
    return text.replace(/\s+/g, " ").trim();
  }
  function nameControls(root) {
    root.querySelectorAll("label").forEach(function (label) {
      var control = label.control;
      if (!control || !label.querySelector(".katex")) { return; }
      var copy = label.cloneNode(true);
      copy.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".katex").forEach(function (math) {
        var tex = math.querySelector("annotation");
        math.replaceWith(" " + spoken(tex ? tex.textContent : math.textContent) + " ");
      });
      control.setAttribute("aria-label", copy.textContent.replace(/\s+/g, " ").trim());
    });
  }
  function render(root) {
    root = root || document.body;
    if (window.renderMathInElement) {
      promoteStandaloneFormulas(root);
      window.renderMathInElement(root, options);
      nameControls(root);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.target); });
  window.trellisRenderMath = render;
})();
