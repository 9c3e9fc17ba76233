// Site-wide behaviour, kept small: confirmations for destructive forms and a notice
// when an htmx request fails. No inline script anywhere, so the CSP can forbid it.
(function () {
  "use strict";

  // A plain form with data-confirm asks first; htmx forms use hx-confirm instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]:not([hx-post])") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  function showRequestError(message) {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    window.clearTimeout(showRequestError.timer);
    showRequestError.timer = window.setTimeout(function () { box.hidden = true; }, 6000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var message = status === 403 ? "You are not allowed to do that." :
      status === 404 ? "That item no longer exists." :
      status === 400 ? "The page expired. Reload it and try again." :
      "Something went wrong (" + status + "). Please try again.";
    showRequestError(message);
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("No connection. Check the network and try again.");
  });
})();
