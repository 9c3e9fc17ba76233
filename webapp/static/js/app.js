// Site-wide behaviour, kept small: confirmations for destructive forms and a notice
// when an htmx request fails. No inline script anywhere, so the CSP can forbid it.
(function () {
  "use strict";

  // A plain form with data-confirm asks first; htmx forms use hx-confirm instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]:not([hx-post])") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // A form with data-once cannot be sent a second time while the first is on its way
    // (the server refuses a second sending too: its form token is used once).
    if (form.matches("form[data-once]")) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-busy", "true");
        button.disabled = true;
      });
    }
  });

  // Searchable dropdowns (an input with data-picker-input and a list of option buttons):
  // arrow keys move between the options, Escape returns to the input.
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-picker-input]");
    var option = event.target.closest && event.target.closest("[data-picker-options] button");
    var list = input ? document.getElementById(input.getAttribute("aria-controls"))
                     : option && option.closest("[data-picker-options]");
    if (!list) return;
    var options = Array.prototype.slice.call(list.querySelectorAll("button"));
    var index = options.indexOf(option);
    if (event.key === "ArrowDown" && options.length) {
      options[Math.min(index + 1, options.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && option) {
      if (index > 0) { options[index - 1].focus(); } else { focusComboboxFor(list); }
      event.preventDefault();
    } else if (event.key === "Escape" && option) {
      focusComboboxFor(list);
    }
  });

  function focusComboboxFor(list) {
    var box = document.querySelector("[aria-controls='" + list.id + "']");
    if (box) box.focus();
  }

  // A picker redrawn by htmx (data-picker: a buyer added or removed) gets the focus back in
  // its search box only if the focus was in the picker when the answer came. On slow Wi-Fi
  // the user has often moved on to the next field by then: the focus stays there.
  var focusInPicker = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id && target.hasAttribute("data-picker")) {
      focusInPicker[target.id] = target.contains(document.activeElement);
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(focusInPicker).forEach(function (id) {
      var wasInPicker = focusInPicker[id];
      delete focusInPicker[id];
      var picker = document.getElementById(id);
      var active = document.activeElement;
      var focusLost = !active || active === document.body || (picker && picker.contains(active));
      var box = picker && picker.querySelector("[data-picker-input]");
      if (wasInPicker && focusLost && box && active !== box) box.focus();
    });
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
