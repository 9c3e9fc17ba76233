// Present mode's rules (webapp/static/ipad/present.js): which way a swipe or a key moves,
// where the deck stops, and how long a card counts as shown. node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import Present from "../../webapp/static/ipad/present.js";

test("a swipe to the left moves to the next card, to the right to the previous", () => {
  assert.equal(Present.swipeStep(-120, 800), 1);
  assert.equal(Present.swipeStep(120, 800), -1);
});

test("a short drag or a tap moves nowhere", () => {
  assert.equal(Present.swipeStep(0, 800), 0);
  assert.equal(Present.swipeStep(-40, 800), 0);
  assert.equal(Present.swipeStep(79, 800), 0);
});

test("on a narrow card a fifth of its width is enough", () => {
  assert.equal(Present.swipeStep(-60, 250), 1);  // 20% of 250 is 50
  assert.equal(Present.swipeStep(-45, 250), 0);
  assert.equal(Present.swipeStep(-Present.SWIPE_PIXELS, 0), 1);  // width unknown
});

test("the deck stops at its first and last cards", () => {
  assert.equal(Present.moveTo(0, -1, 5), 0);
  assert.equal(Present.moveTo(4, 1, 5), 4);
  assert.equal(Present.moveTo(2, 1, 5), 3);
  assert.equal(Present.moveTo(2, -1, 5), 1);
  assert.equal(Present.moveTo(0, 1, 1), 0);
});

test("only the left and right arrows move", () => {
  assert.equal(Present.keyStep("ArrowRight"), 1);
  assert.equal(Present.keyStep("ArrowLeft"), -1);
  for (const key of ["ArrowUp", "ArrowDown", "Enter", " ", "a"]) assert.equal(Present.keyStep(key), 0);
});

test("seconds shown are whole seconds, and a glance is none", () => {
  assert.equal(Present.secondsShown(1000, 43999), 42);
  assert.equal(Present.secondsShown(1000, 1999), 0);
  assert.equal(Present.secondsShown(null, 5000), 0);  // not shown (the page was hidden)
  assert.equal(Present.secondsShown(5000, 1000), 0);
});

test("the outbox takes the CMS's answer to a shown change as saved", async () => {
  const { default: Outbox } = await import("../../webapp/static/ipad/outbox.js");
  const shown = {kind: "shown", key: "shown-1", item: "4", value: "42"};
  assert.equal(Outbox.outcomeOf(shown, 200, {shown: 42, key: "shown-1"}), "saved");
  assert.equal(Outbox.outcomeOf(shown, 200, {started: true, key: "shown-1"}), "fault");
  assert.equal(Outbox.outcomeOf(shown, 422, {error: "Seconds shown are at least 1."}), "refused");
});
