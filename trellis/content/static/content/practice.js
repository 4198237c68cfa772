// Practice page: give every answer form a fresh client-generated idempotency key, and put the
// cursor in the answer box after each swap. The page works without this script: the server
// fills the key too, and the forms post normally.
(function () {
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return null;
  }
  function prepare(root) {
    root.querySelectorAll("input[data-attempt-key]").forEach(function (field) {
      var key = newKey();
      if (key) { field.value = key; }
    });
    var input = root.querySelector(".answer-form .answer-input");
    if (input && root !== document) { input.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("practice-panel");
    if (panel) { prepare(panel); }
  });
})();

// Playlist editor: drag an entry to a new place; the new order is posted (htmx swaps the list
// back from the server). The Up / Down buttons do the same without a mouse or script.
(function () {
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-reorder-url] > li[draggable]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.entry);
  });
  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var over = event.target.closest && event.target.closest("[data-reorder-url] > li[draggable]");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", function (event) {
    if (dragged) { event.preventDefault(); }
  });
  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var list = dragged.parentNode;
    dragged.classList.remove("dragging");
    dragged = null;
    var order = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-entry]"),
      function (li) { return li.dataset.entry; });
    if (window.htmx) {
      window.htmx.ajax("POST", list.dataset.reorderUrl, {
        source: list, target: "#playlist-entries", swap: "outerHTML",
        values: {order: order.join(",")}
      });
    }
  });
})();
