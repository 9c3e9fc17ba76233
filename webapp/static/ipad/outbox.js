// The in-meeting view's outbox, as pure functions over plain data (what localStorage keeps):
// which change goes next, what an answer means, what the host's choice in a conflict does.
// ipad.js does the sending and the showing. Loaded by a <script> tag before ipad.js (the
// Content-Security-Policy allows no inline script), and by Node for its unit tests.
//
// A change is {key, kind, user, meeting, field?, item?, value?, version?, sent?, conflict?,
// fault?}. Once sent (`sent` counts the attempts) its outcome is unknown until an answer
// comes: the CMS may have applied it under its key. Such a change is never edited, since the
// CMS refuses a key sent again with other content: an edit made meanwhile is a new change
// with a new key, queued after it. A change never sent takes newer edits of its field.
//
// A note change carries the version it is based on. One queued behind another change of
// the same field has none (null) until its predecessor is answered: it is based on the
// version the CMS gives that one, so it is no false conflict.
(function (root, factory) {
  var outbox = factory();
  if (typeof module === "object" && module.exports) module.exports = outbox;
  else root.Outbox = outbox;
})(this, function () {
  "use strict";

  var NOTES = ["note", "meeting_notes"];

  function isNote(change) {
    return NOTES.indexOf(change.kind) !== -1;
  }

  function copy(change) {
    var made = {};
    Object.keys(change).forEach(function (name) { made[name] = change[name]; });
    return made;
  }

  // Field ids repeat across meetings ("meeting-notes"): a field is the id within its meeting.
  function sameField(a, b) {
    return !!a.field && a.field === b.field && a.meeting === b.meeting && a.user === b.user;
  }

  function waiting(change) {
    return !change.conflict && !change.fault;
  }

  // The change a new edit of `change`'s field may be merged into: one never sent, not
  // queued before a Send of its meeting (the summary goes out as it stood when Send was
  // tapped), or a held conflict, which keeps the host's latest text until they choose.
  function mergeTarget(queue, change) {
    var lastSend = -1;
    queue.forEach(function (c, i) {
      if (c.kind === "send_summary" && c.meeting === change.meeting && c.user === change.user) {
        lastSend = i;
      }
    });
    for (var i = 0; i < queue.length; i++) {
      var c = queue[i];
      if (sameField(c, change) && (c.conflict || (!c.sent && !c.fault && i > lastSend))) return i;
    }
    return -1;
  }

  // Add a tap or an edit: {queue, change} with the change as it is now queued.
  function enqueue(queue, change, newKey) {
    var index;
    if (change.kind === "send_summary") {
      index = -1;
      queue.forEach(function (c, i) {
        if (c.kind === "send_summary" && c.meeting === change.meeting && c.user === change.user) {
          index = !c.sent && waiting(c) ? i : -1;
        }
      });
      if (index !== -1) return {queue: queue, change: queue[index]};  // one Send waiting is enough
    }
    index = mergeTarget(queue, change);
    var next = queue.slice();
    if (index !== -1) {
      next[index] = copy(queue[index]);
      next[index].value = change.value;
      return {queue: next, change: next[index]};
    }
    var made = copy(change);
    made.key = newKey();
    delete made.sent;
    if (isNote(made) && queue.some(function (c) { return sameField(c, made); })) {
      made.version = null;  // based on what its predecessor leaves: set when that is answered
    }
    next.push(made);
    return {queue: next, change: made};
  }

  // Whether the user's change `i` waits for the host: a held conflict or fault waits, and so
  // do later changes of its field, and a Send queued after one of its meeting's.
  function blocked(mine, i) {
    var c = mine[i];
    return !waiting(c) || mine.slice(0, i).some(function (d) {
      return !waiting(d) && (sameField(d, c) || (c.kind === "send_summary" && d.meeting === c.meeting));
    });
  }

  // The changes that may go together now, at most `max`: the ones that would go one by one
  // if each were saved, in queue order. The batch ends before a second change of a field
  // already in it: that one goes once the first is answered (a note is based on the version
  // the first makes, and an answer lost for the first must not be settled after it).
  // `budget` (optional) caps the text the batch carries, so that a batch of long notes still
  // goes up a slow link within the time an answer is waited for; the first change always goes.
  function batchToSend(queue, user, max, budget) {
    var mine = queue.filter(function (c) { return c.user === user; });
    var batch = [];
    var size = 0;
    for (var i = 0; i < mine.length && batch.length < max; i++) {
      if (blocked(mine, i)) continue;
      var c = mine[i];
      if (batch.some(function (d) { return sameField(d, c); })) break;
      size += String(c.value || "").length;
      if (batch.length && budget && size > budget) break;
      batch.push(c);
    }
    return batch;
  }

  // The first of the user's changes that may go now.
  function nextToSend(queue, user) {
    return batchToSend(queue, user, 1)[0] || null;
  }

  // The CMS's answer to one change of a batch (the reply's `answers`, each {key, status,
  // answer}): {status, answer}, or null when the reply has none for it (lost on the way:
  // the change goes again, under its key).
  function answerIn(answers, change) {
    var found = (Array.isArray(answers) ? answers : []).filter(function (a) {
      return a && a.key === change.key;
    })[0];
    return found ? {status: found.status, answer: found.answer} : null;
  }

  function replace(queue, key, change) {
    return queue.map(function (c) { return c.key === key ? change(copy(c)) : c; });
  }

  // The change is on its way: from now on it is never edited.
  function markSent(queue, key) {
    return replace(queue, key, function (c) {
      c.sent = (c.sent || 0) + 1;
      return c;
    });
  }

  // Python's str.strip() and JavaScript's trim() differ on a few characters: the text the
  // CMS saved is compared with the one sent without any of either's whitespace at its ends.
  var ENDS = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

  function trimmed(text) {
    return String(text === undefined || text === null ? "" : text).replace(ENDS, "");
  }

  // Whether a 200 answer is the CMS's answer to this very change.
  function answers(change, answer) {
    if (!answer || answer.key !== change.key) return false;
    if (isNote(change)) {
      return typeof answer.version === "number" && trimmed(answer.text) === trimmed(change.value);
    }
    if (change.kind === "interest") return answer.interest === change.value;
    if (change.kind === "screener") return answer.screener === change.value;
    if (change.kind === "add_item") return typeof answer.item_id === "number";
    if (change.kind === "send_summary") return typeof answer.sent_to === "number";
    if (change.kind === "shown") return typeof answer.shown === "number";  // seconds, as counted
    if (change.kind === "reorder") return typeof answer.order === "string";
    return change.kind === "start" && answer.started === true;
  }

  // What an answer (status, and its JSON or null) means: "saved"; "conflict" (changed on the
  // website meanwhile: the host chooses); "refused" (the CMS will not take it, for a reason
  // it gives); "retry" (no answer to go by: the same change goes again, under its key); or
  // "fault" (an answer for some other change, or its key refused as another's: a bug that
  // is reported, with the change kept and never shown as saved).
  function outcomeOf(change, status, answer) {
    if (answer === null || answer === undefined || typeof answer !== "object") {
      return status === 200 || status === 400 || status === 429 || status >= 500 ? "retry" : "refused";
    }
    if (status >= 500 || status === 429) return "retry";
    if (answer.key !== undefined && answer.key !== change.key) return "fault";
    if (status === 200) return answers(change, answer) ? "saved" : "fault";
    if (status === 409 && typeof answer.version === "number" && answer.key === change.key) {
      return "conflict";
    }
    if (status === 422 && answer.reason === "key_reused") return "fault";
    return "refused";
  }

  // An answer that ends the change ("saved" or "refused"): it leaves the outbox, and a later
  // note of its field is based on the version the CMS now has.
  function settle(queue, change, outcome, answer) {
    var version = outcome === "saved" && isNote(change) ? answer.version : change.version;
    var rebased = false;
    return queue.filter(function (c) { return c.key !== change.key; }).map(function (c) {
      if (rebased || !sameField(c, change)) return c;
      rebased = true;  // the next change of the field; the ones after it follow that one
      if (!isNote(c) || c.sent || (c.version !== null && c.version !== undefined)) return c;
      c = copy(c);
      c.version = version === undefined ? null : version;
      return c;
    });
  }

  // Keep a change that cannot go on as it is: a conflict, with the CMS's text and version
  // (the newest text typed since is merged into it), or a fault, with what went wrong.
  function hold(queue, key, why) {
    var kept = queue.filter(function (c) { return c.key === key; })[0];
    if (!kept) return queue;
    kept = copy(kept);
    var newer = [];
    if (why.conflict) {
      newer = queue.filter(function (c) {
        return c.key !== key && sameField(c, kept) && !c.sent && waiting(c);
      });
      newer.forEach(function (c) { kept.value = c.value; });
      kept.conflict = {text: why.conflict.text || "", version: why.conflict.version};
    } else {
      kept.fault = why.fault || "The CMS's answer was not for this change.";
    }
    return queue.filter(function (c) { return newer.indexOf(c) === -1; }).map(function (c) {
      return c.key === key ? kept : c;
    });
  }

  // The host's choice in a conflict on a field: "mine" (their text, sent again based on the
  // website's version), "theirs" (the website's text; nothing to send) or "both". A fresh
  // key: the old one's answer was the conflict. {queue, text, version} with the text the
  // field should now show and the version it is based on.
  function resolve(queue, field, choice, mine, newKey) {
    var index = -1;
    queue.forEach(function (c, i) { if (c.conflict && sameField(c, field)) index = i; });
    if (index === -1) return {queue: queue, text: mine, version: null};
    var kept = queue[index];
    var theirs = kept.conflict;
    if (choice === "theirs") {
      return {queue: queue.filter(function (c, i) { return i !== index; }), text: theirs.text,
              version: theirs.version, held: kept};
    }
    var text = choice === "both" ? (theirs.text + "\n\n" + mine).trim() : mine;
    var again = copy(kept);
    delete again.conflict;
    delete again.sent;
    again.key = newKey();
    again.value = text;
    again.version = theirs.version;
    var next = queue.slice();
    next[index] = again;
    return {queue: next, text: text, version: theirs.version, change: again};
  }

  // What the status bar reports: changes waiting to go (fields being typed in that would
  // become a new change count too), held conflicts, faults.
  function counts(queue, user, typing) {
    var mine = queue.filter(function (c) { return c.user === user; });
    var result = {
      waiting: mine.filter(waiting).length,
      conflicts: mine.filter(function (c) { return c.conflict; }).length,
      faults: mine.filter(function (c) { return c.fault && !c.conflict; }).length
    };
    (typing || []).forEach(function (field) {
      if (mergeTarget(mine, field) === -1) result.waiting += 1;
    });
    return result;
  }

  // --- What the CMS has, as far as this device knows ----------------------------------
  // The page a reload offline shows is the copy the service worker kept, which may predate
  // the latest saved changes. The saved values are remembered, {seq, values: [...]}, until a
  // copy of their meeting's page kept after them is confirmed, and shown over an older copy.

  function remember(saved, change, value, version) {
    var seq = (saved.seq || 0) + 1;
    var values = (saved.values || []).filter(function (v) { return !sameField(v, change); });
    values.push({user: change.user, meeting: change.meeting, field: change.field,
                 item: change.item, kind: change.kind, value: value, version: version, seq: seq});
    return {seq: seq, values: values};
  }

  // A copy of the meeting's page was kept, fetched after `seq`: it shows everything saved
  // until then.
  function forget(saved, user, meeting, seq) {
    return {seq: saved.seq || 0, values: (saved.values || []).filter(function (v) {
      return !(v.user === user && v.meeting === meeting && v.seq <= seq);
    })};
  }

  // The saved values the page should show: a note only if the page's version is older.
  function newerThanPage(saved, user, meeting, pageVersion) {
    return (saved.values || []).filter(function (v) {
      if (v.user !== user || v.meeting !== meeting) return false;
      if (NOTES.indexOf(v.kind) === -1) return true;
      var shown = pageVersion(v.field);
      return shown === null || shown === undefined || Number(v.version) > Number(shown);
    });
  }

  return {
    enqueue: enqueue, nextToSend: nextToSend, batchToSend: batchToSend, answerIn: answerIn, markSent: markSent, outcomeOf: outcomeOf,
    settle: settle, hold: hold, resolve: resolve, counts: counts, sameField: sameField,
    remember: remember, forget: forget, newerThanPage: newerThanPage
  };
});
