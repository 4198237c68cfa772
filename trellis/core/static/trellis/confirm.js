// Forms that ask before they submit: <form data-confirm="Delete this playlist?">. An inline
// onsubmit="return confirm(...)" would be blocked by the Content-Security-Policy.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm &&
      !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
