// Drag a student onto another group on the Today page. Dropping fills the student's own
// "Move to" select (the keyboard fallback) and submits that form, so htmx posts the move and
// swaps the board; without JavaScript the select and button work on their own.
(function () {
  "use strict";
  let dragged = null;

  function formOf(student) { return student && student.querySelector("form.move-form"); }

  document.addEventListener("dragstart", function (event) {
    const student = event.target.closest && event.target.closest(".student[draggable=true]");
    if (!student) return;
    dragged = student;
    student.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", student.dataset.studentId);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });

  document.addEventListener("dragover", function (event) {
    const group = event.target.closest && event.target.closest(".group-card");
    if (!group || !dragged || group.contains(dragged)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    group.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    const group = event.target.closest && event.target.closest(".group-card");
    if (group && !group.contains(event.relatedTarget)) group.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    const group = event.target.closest && event.target.closest(".group-card");
    if (!group || !dragged) return;
    event.preventDefault();
    group.classList.remove("drop-target");
    const form = formOf(dragged);
    if (!form) return;
    const select = form.querySelector("select[name=group_id]");
    select.value = group.dataset.groupId;
    if (select.value !== group.dataset.groupId) return;  // not a choice for this student
    form.requestSubmit();
  });
})();
