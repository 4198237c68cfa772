// The check's question page: keep focus on the answer, and send a form only once (a double
// click or Enter pressed twice posts the same idempotency key; the server counts it once).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("diag-form");
  if (!form) return;
  const box = document.getElementById("diag-answer");
  if (box) { box.focus(); box.select(); }
  let sent = false;
  form.addEventListener("submit", (event) => {
    if (sent) { event.preventDefault(); return; }
    sent = true;
  });
});
