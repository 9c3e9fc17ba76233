// Present mode: the meeting's list as full-screen cards, moved by a swipe (pointer events),
// the arrow keys or the two buttons. How long each card was on screen goes to the CMS as a
// "shown" change through the meeting's outbox (ipad.js, via the "ipad:change" event); the
// thumbs and the screener toggle on each card are ipad.js's as on the meeting's page.
// The rules are pure functions (window.Present), tested by Node; the wiring runs in a page.
(function (root, factory) {
  var present = factory();
  if (typeof module === "object" && module.exports) module.exports = present;
  else root.Present = present;
})(this, function () {
  "use strict";

  // A swipe moves on when it travels this far, or this share of the card's width if less.
  var SWIPE_PIXELS = 80;
  var SWIPE_SHARE = 0.2;

  // Which way a drag of `dx` pixels across a card `width` wide moves: +1 to the next card
  // (a swipe to the left), -1 to the previous one, 0 to stay.
  function swipeStep(dx, width) {
    var threshold = Math.min(SWIPE_PIXELS, (width || 0) * SWIPE_SHARE || SWIPE_PIXELS);
    if (Math.abs(dx) < threshold) return 0;
    return dx < 0 ? 1 : -1;
  }

  // The card shown after moving `step` from `index` among `count`: the ends stay put.
  function moveTo(index, step, count) {
    return Math.max(0, Math.min(count - 1, index + step));
  }

  // The step an arrow key asks for, or 0 for any other key.
  function keyStep(key) {
    return key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : 0;
  }

  // Whole seconds a card was on screen from `since` to `until` (milliseconds); a glance
  // while swiping past (under a second) is no showing: 0.
  function secondsShown(since, until) {
    if (since === null || since === undefined || until < since) return 0;
    return Math.floor((until - since) / 1000);
  }

  return {swipeStep: swipeStep, moveTo: moveTo, keyStep: keyStep, secondsShown: secondsShown,
          SWIPE_PIXELS: SWIPE_PIXELS};
});

(function () {
  "use strict";
  if (typeof document === "undefined") return;
  var Present = window.Present;
  var deck = document.getElementById("deck");
  var track = document.getElementById("track");
  if (!deck || !track) return;
  var cards = Array.prototype.slice.call(track.querySelectorAll(".card"));
  var previous = document.getElementById("present-previous");
  var next = document.getElementById("present-next");
  var position = document.getElementById("present-position");
  var index = 0;
  var shownSince = null;
  var drag = null;

  function now() {
    return window.performance ? performance.now() : Date.now();
  }

  // The card on screen is being shown from now on (while the page is visible).
  function startShowing() {
    shownSince = document.visibilityState === "hidden" ? null : now();
  }

  // The card on screen stops being shown: its seconds go into the outbox.
  function stopShowing() {
    var seconds = Present.secondsShown(shownSince, now());
    shownSince = null;
    if (seconds < 1) return;
    document.dispatchEvent(new CustomEvent("ipad:change", {
      detail: {kind: "shown", item: cards[index].dataset.item, value: String(seconds)}}));
  }

  function place(offset) {
    track.style.transform = "translateX(calc(" + (-index * 100) + "% + " + (offset || 0) + "px))";
  }

  function show(target) {
    if (target === index) {
      place(0);
      return;
    }
    stopShowing();
    var video = cards[index].querySelector("video");
    if (video) video.pause();
    cards[index].setAttribute("aria-hidden", "true");
    cards[index].inert = true;
    index = target;
    cards[index].removeAttribute("aria-hidden");
    cards[index].inert = false;
    track.classList.remove("dragging");
    place(0);
    previous.disabled = index === 0;
    next.disabled = index === cards.length - 1;
    if (position) position.textContent = (index + 1) + " / " + cards.length;
    startShowing();
  }

  function step(by) {
    show(Present.moveTo(index, by, cards.length));
  }

  // A drag that starts on a control (a button, the video's controls, a link) is theirs.
  deck.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || event.target.closest("button, a, video, input, textarea")) return;
    drag = {id: event.pointerId, x: event.clientX, y: event.clientY, dx: 0};
    track.classList.add("dragging");
    deck.setPointerCapture(event.pointerId);
  });
  deck.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) return;
    drag.dx = event.clientX - drag.x;
    place(drag.dx);
  });
  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) return;
    var moved = event.type === "pointercancel" ? 0 : Present.swipeStep(drag.dx, deck.clientWidth);
    drag = null;
    track.classList.remove("dragging");
    if (moved) step(moved);
    else place(0);
  }
  deck.addEventListener("pointerup", endDrag);
  deck.addEventListener("pointercancel", endDrag);

  document.addEventListener("keydown", function (event) {
    var by = Present.keyStep(event.key);
    if (!by || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest && event.target.closest("video, input, textarea, [role=tab]")) return;
    event.preventDefault();
    step(by);
  });
  previous.addEventListener("click", function () { step(-1); });
  next.addEventListener("click", function () { step(1); });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") stopShowing();
    else startShowing();
  });
  window.addEventListener("pagehide", stopShowing);
  startShowing();
})();
