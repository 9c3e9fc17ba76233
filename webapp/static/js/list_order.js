// A list's items are put in order by dragging their number (SortableJS); the ↑ ↓ buttons
// stay for keyboards and screen readers. The new order goes as a plain form post, through
// htmx, and the CMS answers with the list as saved.
(function () {
  "use strict";

  function wire(list) {
    var form = document.getElementById(list.dataset.orderForm);
    if (!form || !window.Sortable || list.dataset.sortable) return;
    list.dataset.sortable = "yes";
    window.Sortable.create(list, {
      draggable: ".list-item",
      handle: ".position",
      forceFallback: true,  // the same pointer dragging with a mouse and on an iPad
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var ids = Array.prototype.map.call(list.querySelectorAll(".list-item"), function (li) {
          return li.id.replace("list-item-", "");
        });
        form.elements.order.value = ids.join(",");
        form.requestSubmit();
      }
    });
  }

  function wireAll(root) {
    var lists = root.querySelectorAll ? root.querySelectorAll("[data-order-form]") : [];
    if (root.matches && root.matches("[data-order-form]")) wire(root);
    Array.prototype.forEach.call(lists, wire);
  }

  wireAll(document);
  document.addEventListener("htmx:load", function (event) { wireAll(event.target); });
})();
