// The iPad outbox's rules (webapp/static/ipad/outbox.js), run by Node's own test runner:
// node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import Outbox from "../../webapp/static/ipad/outbox.js";

function keys() {
  let n = 0;
  return () => `key-${++n}`;
}

const HOST = "7";

function note(value, version = 1, fields = {}) {
  return {kind: "note", field: "note-11", item: "11", value, version, user: HOST, meeting: "3",
          ...fields};
}

function queued(changes, newKey = keys()) {
  return changes.reduce((queue, change) => Outbox.enqueue(queue, change, newKey).queue, []);
}

// The CMS's answer to a note change, as apply_change gives it.
function saved(change, version) {
  return {key: change.key, text: change.value.trim(), version};
}

test("an edit made before its field's change was sent is merged into it", () => {
  const queue = queued([note("Loved"), note("Loved it")]);
  assert.equal(queue.length, 1);
  assert.equal(queue[0].value, "Loved it");
  assert.equal(queue[0].key, "key-1");
});

test("a change sent once is never edited: a new edit is a new change after it", () => {
  const newKey = keys();
  let queue = queued([note("Loved")], newKey);
  queue = Outbox.markSent(queue, "key-1");
  const frozen = structuredClone(queue);
  const {queue: after, change} = Outbox.enqueue(queue, note("Loved it, wants the dub"), newKey);
  assert.deepEqual(queue, frozen, "enqueue changed the queue it was given");
  assert.deepEqual(after.map((c) => [c.key, c.value]),
                   [["key-1", "Loved"], ["key-2", "Loved it, wants the dub"]]);
  assert.equal(change.key, "key-2");
  assert.equal(change.version, null, "based on what its predecessor leaves, not yet known");
  // Typing on merges into the new, unsent change, never into the sent one.
  const more = Outbox.enqueue(after, note("Loved it, wants the dub. Sunday."), newKey).queue;
  assert.deepEqual(more.map((c) => c.value), ["Loved", "Loved it, wants the dub. Sunday."]);
});

test("the answer lost, the typing goes on: the first change goes again, then the newer text, " +
     "based on the version the first one made", () => {
  const newKey = keys();
  let queue = queued([note("Loved")], newKey);
  const first = Outbox.nextToSend(queue, HOST);
  queue = Outbox.markSent(queue, first.key);  // sent; the answer is lost on the way back
  queue = Outbox.enqueue(queue, note("Loved it"), newKey).queue;
  const again = Outbox.nextToSend(queue, HOST);
  assert.equal(again.key, first.key);
  assert.equal(again.value, "Loved", "the same change, under the same key");
  queue = Outbox.markSent(queue, again.key);
  const answer = saved(again, 2);  // the CMS replays its first answer
  assert.equal(Outbox.outcomeOf(again, 200, answer), "saved");
  queue = Outbox.settle(queue, again, "saved", answer);
  const next = Outbox.nextToSend(queue, HOST);
  assert.equal(next.value, "Loved it");
  assert.equal(next.version, 2);
  assert.notEqual(next.key, first.key);
  queue = Outbox.markSent(queue, next.key);
  queue = Outbox.settle(queue, next, "saved", saved(next, 3));
  assert.deepEqual(queue, []);
});

test("a later note waits for its predecessor's version even across other fields", () => {
  const newKey = keys();
  let queue = queued([note("A")], newKey);
  queue = Outbox.markSent(queue, "key-1");
  queue = Outbox.enqueue(queue, {kind: "interest", field: "interest-11", item: "11", value: "up",
                                 user: HOST, meeting: "3"}, newKey).queue;
  queue = Outbox.enqueue(queue, note("AB"), newKey).queue;
  queue = Outbox.settle(queue, queue[0], "saved", {key: "key-1", text: "A", version: 5});
  assert.deepEqual(queue.map((c) => [c.kind, c.version]), [["interest", undefined], ["note", 5]]);
});

test("an answer is taken as saved only when it is for what was sent", () => {
  const change = {...note("Wants the dub "), key: "key-1"};
  assert.equal(Outbox.outcomeOf(change, 200, {key: "key-1", text: "Wants the dub", version: 2}),
               "saved");
  // The CMS strips as Python does: U+001F is whitespace there, not in JavaScript.
  assert.equal(Outbox.outcomeOf({...change, value: "\u001fWants the dub"}, 200,
                                {key: "key-1", text: "Wants the dub", version: 2}), "saved");
  for (const answer of [
    {key: "key-1", text: "Wants the", version: 2},  // another change's text
    {key: "key-9", text: "Wants the dub", version: 2},  // another change's key
    {text: "Wants the dub", version: 2},  // no key: not an answer to this change
    {key: "key-1", text: "Wants the dub"},  // no version
  ]) {
    assert.equal(Outbox.outcomeOf(change, 200, answer), "fault", JSON.stringify(answer));
  }
  const tap = {kind: "interest", key: "key-2", value: "up"};
  assert.equal(Outbox.outcomeOf(tap, 200, {key: "key-2", interest: "up"}), "saved");
  assert.equal(Outbox.outcomeOf(tap, 200, {key: "key-2", interest: "down"}), "fault");
  const toggle = {kind: "screener", key: "key-3", value: "on"};
  assert.equal(Outbox.outcomeOf(toggle, 200, {key: "key-3", screener: "on"}), "saved");
  assert.equal(Outbox.outcomeOf({kind: "start", key: "k"}, 200, {key: "k", started: true}), "saved");
  assert.equal(Outbox.outcomeOf({kind: "add_item", key: "k"}, 200, {key: "k", item_id: 4}), "saved");
  assert.equal(Outbox.outcomeOf({kind: "send_summary", key: "k"}, 200, {key: "k", sent_to: 2}),
               "saved");
});

test("what each kind of answer means", () => {
  const change = {...note("Mine"), key: "key-1"};
  assert.equal(Outbox.outcomeOf(change, 409, {key: "key-1", text: "Theirs", version: 4}),
               "conflict");
  assert.equal(Outbox.outcomeOf(change, 422, {key: "key-1", reason: "key_reused", error: "x"}),
               "fault");
  assert.equal(Outbox.outcomeOf(change, 422, {key: "key-1", error: "Cancelled."}), "refused");
  assert.equal(Outbox.outcomeOf(change, 400, {error: "A change needs a key"}), "refused");
  for (const [status, answer] of [[500, {}], [503, null], [429, null], [400, null], [200, null]]) {
    assert.equal(Outbox.outcomeOf(change, status, answer), "retry", `${status}`);
  }
  assert.equal(Outbox.outcomeOf(change, 404, null), "refused");
});

test("a conflict is held with the newest text typed, and the host's choice sends it anew", () => {
  const newKey = keys();
  let queue = queued([note("Bob: pitch")], newKey);
  queue = Outbox.markSent(queue, "key-1");
  queue = Outbox.enqueue(queue, note("Bob: pitch season 2"), newKey).queue;
  queue = Outbox.hold(queue, "key-1", {conflict: {text: "Tess: they own it", version: 4}});
  assert.equal(queue.length, 1);
  assert.equal(queue[0].value, "Bob: pitch season 2");
  assert.equal(Outbox.nextToSend(queue, HOST), null);
  // Typing on while the choice is open goes into the held change.
  queue = Outbox.enqueue(queue, note("Bob: pitch season 2 and 3"), newKey).queue;
  assert.equal(queue.length, 1);
  assert.deepEqual(Outbox.counts(queue, HOST), {waiting: 0, conflicts: 1, faults: 0});

  const both = Outbox.resolve(queue, note(""), "both", "Bob: pitch season 2 and 3", newKey);
  assert.equal(both.text, "Tess: they own it\n\nBob: pitch season 2 and 3");
  assert.equal(both.version, 4);
  const next = Outbox.nextToSend(both.queue, HOST);
  assert.equal(next.key, "key-3");
  assert.equal(next.version, 4);
  assert.equal(next.sent, undefined);
  assert.equal(next.value, both.text);

  const mine = Outbox.resolve(queue, note(""), "mine", "Bob only", newKey);
  assert.equal(Outbox.nextToSend(mine.queue, HOST).value, "Bob only");

  const theirs = Outbox.resolve(queue, note(""), "theirs", "Bob only", newKey);
  assert.deepEqual(theirs.queue, []);
  assert.equal(theirs.text, "Tess: they own it");
  assert.equal(theirs.version, 4);
});

test("a fault is kept, never sent again, and what follows on its field waits", () => {
  const newKey = keys();
  let queue = queued([note("A")], newKey);
  queue = Outbox.markSent(queue, "key-1");
  queue = Outbox.enqueue(queue, note("AB"), newKey).queue;
  queue = Outbox.enqueue(queue, {kind: "interest", field: "interest-11", item: "11", value: "up",
                                 user: HOST, meeting: "3"}, newKey).queue;
  queue = Outbox.enqueue(queue, {kind: "send_summary", user: HOST, meeting: "3"}, newKey).queue;
  queue = Outbox.hold(queue, "key-1", {fault: "The CMS's answer was not for this change."});
  assert.equal(queue.length, 4, "the fault is kept, and the text typed after it");
  assert.equal(Outbox.nextToSend(queue, HOST).kind, "interest");
  queue = Outbox.settle(queue, Outbox.nextToSend(queue, HOST), "saved", {key: "key-3"});
  assert.equal(Outbox.nextToSend(queue, HOST), null, "the Send waits behind the fault");
  assert.deepEqual(Outbox.counts(queue, HOST), {waiting: 2, conflicts: 0, faults: 1});
});

test("one Send waiting is enough, and edits made after a Send are not merged before it", () => {
  const newKey = keys();
  const send = {kind: "send_summary", user: HOST, meeting: "3"};
  let queue = queued([note("Before the send"), send, send], newKey);
  assert.deepEqual(queue.map((c) => c.kind), ["note", "send_summary"]);
  queue = Outbox.enqueue(queue, note("After the send"), newKey).queue;
  assert.deepEqual(queue.map((c) => c.value), ["Before the send", undefined, "After the send"]);
  assert.equal(queue[2].version, null);
  // A Send already on its way: tapped again, the host asked for another.
  queue = Outbox.markSent(queue, queue[1].key);
  assert.equal(Outbox.enqueue(queue, send, newKey).queue.length, 4);
});

test("changes go in the order made, each host's own only", () => {
  const queue = queued([note("Bob's", 1, {user: "8"}), note("Mine")]);
  assert.equal(Outbox.nextToSend(queue, HOST).value, "Mine");
  assert.equal(Outbox.nextToSend(queue, "9"), null);
});

test("the status counts a field being typed in as a change only if it would be a new one", () => {
  const typing = [{field: "note-11", meeting: "3", user: HOST}];
  assert.deepEqual(Outbox.counts([], HOST, typing), {waiting: 1, conflicts: 0, faults: 0});
  const queue = queued([note("A")]);
  assert.deepEqual(Outbox.counts(queue, HOST, typing), {waiting: 1, conflicts: 0, faults: 0});
  const sent = Outbox.markSent(queue, "key-1");
  assert.deepEqual(Outbox.counts(sent, HOST, typing), {waiting: 2, conflicts: 0, faults: 0});
});

test("saved values are shown over an older kept page until a newer copy is kept", () => {
  let known = {seq: 0, values: []};
  const change = {...note("Wants the dub"), key: "key-1"};
  known = Outbox.remember(known, change, "Wants the dub", 2);
  known = Outbox.remember(known, {kind: "interest", field: "interest-11", item: "11",
                                  user: HOST, meeting: "3"}, "up", null);
  const older = () => "1";
  assert.deepEqual(Outbox.newerThanPage(known, HOST, "3", older).map((v) => [v.kind, v.value]),
                   [["note", "Wants the dub"], ["interest", "up"]]);
  assert.deepEqual(Outbox.newerThanPage(known, HOST, "3", () => "2").map((v) => v.kind),
                   ["interest"], "the page has this note's version already");
  assert.deepEqual(Outbox.newerThanPage(known, HOST, "4", older), [], "another meeting's page");
  known = Outbox.remember(known, change, "Wants the dub, and subtitles", 3);
  assert.equal(known.values.length, 2, "one value per field, the latest");
  const kept = Outbox.forget(known, HOST, "3", 2);
  assert.deepEqual(kept.values.map((v) => v.value), ["Wants the dub, and subtitles"]);
  assert.deepEqual(Outbox.forget(kept, HOST, "3", kept.seq).values, []);
});

// --- Batches ---------------------------------------------------------------------------

function tap(item, value, fields = {}) {
  return {kind: "interest", field: `interest-${item}`, item: String(item), value, user: HOST,
          meeting: "3", ...fields};
}

test("a backlog goes in one batch, in the order made, up to the batch's size", () => {
  const queue = queued([{kind: "start", user: HOST, meeting: "3"}, tap(11, "up"), note("Loved"),
                        tap(12, "down"), {kind: "meeting_notes", field: "meeting-notes",
                                          value: "Next steps", version: 4, user: HOST,
                                          meeting: "3"}]);
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 40).map((c) => c.key),
                   ["key-1", "key-2", "key-3", "key-4", "key-5"]);
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 2).map((c) => c.key), ["key-1", "key-2"]);
  assert.deepEqual(Outbox.batchToSend(queue, "someone else", 40), []);
  assert.equal(Outbox.nextToSend(queue, HOST).key, "key-1");
});

test("a batch ends before a second change of a field already in it", () => {
  const newKey = keys();
  let queue = queued([note("Loved"), tap(12, "up")], newKey);
  queue = Outbox.markSent(queue, "key-1");  // sent; its answer may be lost
  queue = Outbox.enqueue(queue, note("Loved it"), newKey).queue;  // key-3, based on key-1's
  queue = Outbox.enqueue(queue, tap(13, "down"), newKey).queue;
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 40).map((c) => c.key), ["key-1", "key-2"]);
  // Once key-1 is answered, key-3 goes, based on the version key-1 made, with what follows.
  queue = Outbox.settle(queue, queue[0], "saved", saved(queue[0], 5));
  const next = Outbox.batchToSend(queue, HOST, 40);
  assert.deepEqual(next.map((c) => [c.key, c.version ?? "-"]),
                   [["key-2", "-"], ["key-3", 5], ["key-4", "-"]]);
});

test("a batch skips what waits for the host, and a Send waits for its meeting's changes", () => {
  const newKey = keys();
  let queue = queued([note("Mine"), tap(12, "up"), {kind: "send_summary", user: HOST, meeting: "3"}],
                     newKey);
  queue = Outbox.hold(Outbox.markSent(queue, "key-1"), "key-1",
                      {conflict: {text: "Theirs", version: 6}});
  // The held note blocks the Send after it (the summary must carry the host's choice).
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 40).map((c) => c.key), ["key-2"]);
  const sendAfterNote = queued([tap(11, "up"), note("Loved"), {kind: "send_summary", user: HOST,
                                                              meeting: "3"}]);
  assert.deepEqual(Outbox.batchToSend(sendAfterNote, HOST, 40).map((c) => c.kind),
                   ["interest", "note", "send_summary"], "applied in order by the CMS");
});

test("an answer dropped in the middle of a batch: the others settle, that change goes again " +
     "under its key and settles on the CMS's replayed answer", () => {
  let queue = queued([tap(11, "up"), note("Loved"), tap(12, "down")]);
  const batch = Outbox.batchToSend(queue, HOST, 40);
  batch.forEach((c) => { queue = Outbox.markSent(queue, c.key); });
  const answers = [{key: "key-1", status: 200, answer: {key: "key-1", interest: "up"}},
                   {key: "key-3", status: 200, answer: {key: "key-3", interest: "down"}}];
  assert.equal(Outbox.answerIn(answers, batch[1]), null, "no answer: to go again");
  for (const change of batch) {
    const reply = Outbox.answerIn(answers, change);
    if (!reply) continue;
    assert.equal(Outbox.outcomeOf(change, reply.status, reply.answer), "saved");
    queue = Outbox.settle(queue, change, "saved", reply.answer);
  }
  const again = Outbox.batchToSend(queue, HOST, 40);
  assert.deepEqual(again.map((c) => [c.key, c.value, c.sent]), [["key-2", "Loved", 1]]);
  const replayed = {key: "key-2", status: 200, answer: saved(again[0], 2)};
  assert.equal(Outbox.outcomeOf(again[0], replayed.status, replayed.answer), "saved");
  assert.deepEqual(Outbox.settle(queue, again[0], "saved", replayed.answer), []);
  // An answer naming another key is no answer to this change.
  assert.equal(Outbox.answerIn([{key: "key-9", status: 200, answer: {}}], again[0]), null);
  assert.equal(Outbox.answerIn(undefined, again[0]), null);
});

test("a new order of the list replaces one not yet sent, and its answer is the saved order", () => {
  const order = (value) => ({kind: "reorder", field: "order", value, user: HOST, meeting: "3"});
  const queue = queued([order("12,11,13"), tap(11, "up"), order("13,12,11")]);
  assert.deepEqual(queue.map((c) => [c.kind, c.value]), [["reorder", "13,12,11"], ["interest", "up"]]);
  assert.equal(Outbox.outcomeOf(queue[0], 200, {key: "key-1", order: "13,12,11"}), "saved");
  assert.equal(Outbox.outcomeOf(queue[0], 200, {key: "key-1", interest: "up"}), "fault");
});

test("a batch carries at most the text it may, and its first change whatever its length", () => {
  const long = "x".repeat(30);
  const queue = queued([note(long), tap(12, "up"), note(long, 1, {field: "note-12", item: "12"}),
                        note(long, 1, {field: "note-13", item: "13"})]);
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 40, 64).map((c) => c.key), ["key-1", "key-2", "key-3"]);
  assert.deepEqual(Outbox.batchToSend(queue, HOST, 40, 10).map((c) => c.key), ["key-1"]);
  assert.equal(Outbox.batchToSend(queue, HOST, 40).length, 4, "no budget: by count only");
});
