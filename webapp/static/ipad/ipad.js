// The in-meeting view: every tap and note goes into an outbox kept on the device
// (localStorage) and is sent to the CMS in order, at once when online, later when not.
// Each change carries an idempotency key, so a change sent twice is applied once, and
// notes carry the version they were based on, so an edit made meanwhile on the website
// comes back as a conflict to resolve, never as a silent overwrite. What goes next and what
// an answer means is outbox.js's (window.Outbox); this file sends, and shows.
(function () {
  "use strict";

  var Outbox = window.Outbox;
  var STORE = "sales-cms.ipad.outbox";
  var SAVED = "sales-cms.ipad.saved";
  var NOTE_DELAY = 700;
  var RETRY_EVERY = 10000;
  // After a failed delivery the change goes again soon (a Wi-Fi blip), then less often.
  var FIRST_RETRY = 200;
  // A request with no answer by then is given up: its change goes again, under its key.
  var ANSWER_WITHIN = 20000;
  // Changes sent in one request at most (the CMS takes up to 50).
  var BATCH = 40;
  // and at most this much text: 64 K characters go up at 25 KB/s in under 3 s, well within
  // ANSWER_WITHIN (a long note alone may be up to 20,000 characters).
  var BATCH_TEXT = 65536;
  var script = document.currentScript;
  var userId = document.body.dataset.user;
  var changesUrl = document.body.dataset.changesUrl;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  // The meeting's page, or its present mode (the same changes, from the cards).
  var main = document.querySelector("main[data-changes-url]");
  var meetingId = main && main.dataset.meeting;
  var statusBox = document.getElementById("sync-status");
  var flushing = false;
  var failures = 0;  // deliveries failed in a row
  var retry = null;
  var synced = false;  // a change reached the CMS since the page was last kept
  var signedOut = false;
  var timers = {};

  if ("serviceWorker" in navigator && script && script.dataset.serviceWorker) {
    navigator.serviceWorker.register(script.dataset.serviceWorker).then(keepPage, function () {});
    navigator.serviceWorker.addEventListener("message", onKept);
    if (navigator.serviceWorker.startMessages) navigator.serviceWorker.startMessages();
  }

  // The worker keeps a copy of this page as the CMS has it: now (its first load came before
  // the worker) and whenever everything waiting has synced, so a reload offline shows it.
  function keepPage() {
    if (!("serviceWorker" in navigator)) return;
    var seq = loadSaved().seq || 0;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({keep: location.href, seq: seq});
    });
  }

  // The worker kept a copy fetched after the values saved up to `seq`: it shows them.
  function onKept(event) {
    var data = event.data || {};
    if (meetingId && data.kept === location.href) {
      saveSaved(Outbox.forget(loadSaved(), userId, meetingId, data.seq));
    }
  }

  // --- The outbox ----------------------------------------------------------------------

  function read(name, empty) {
    try {
      var value = JSON.parse(localStorage.getItem(name));
      return value && typeof value === "object" ? value : empty;
    } catch (error) {
      return empty;
    }
  }

  function load() {
    var all = read(STORE, []);
    return Array.isArray(all) ? all : [];
  }

  function save(queue) {
    localStorage.setItem(STORE, JSON.stringify(queue));
  }

  function loadSaved() {
    return read(SAVED, {seq: 0, values: []});
  }

  function saveSaved(saved) {
    localStorage.setItem(SAVED, JSON.stringify(saved));
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function isNote(change) {
    return change.kind === "note" || change.kind === "meeting_notes";
  }

  function enqueue(change) {
    change.user = userId;
    change.meeting = meetingId;
    var queued = Outbox.enqueue(load(), change, newKey);
    save(queued.queue);
    showStatus();
    flush();
    return queued.change;
  }

  // Sent in batches: on trade-fair Wi-Fi a round trip costs a third of a second, so a
  // backlog goes in one or two requests ("60 changes drain in < 1 s", bench/ipad_network.py).
  function flush() {
    if (flushing) return;
    clearTimeout(retry);
    var queue = load();
    var batch = Outbox.batchToSend(queue, userId, BATCH, BATCH_TEXT);
    if (!batch.length || !navigator.onLine) {
      if (!batch.length && synced) keepPage();
      synced = false;
      showStatus();
      return;
    }
    flushing = true;
    batch.forEach(function (change) { queue = Outbox.markSent(queue, change.key); });
    save(queue);  // from now on, never edited
    send(batch).then(function (answers) {
      flushing = false;
      signedOut = false;
      var unanswered = batch.filter(function (change) {
        var reply = Outbox.answerIn(answers, change);
        if (!reply || Outbox.outcomeOf(change, reply.status, reply.answer) === "retry") return true;
        answered(change, reply.status, reply.answer);
        return false;
      });
      if (unanswered.length) {
        notDelivered(unanswered);
      } else {
        failures = 0;
        flush();
      }
    }, function () {
      flushing = false;
      notDelivered(batch);
    });
  }

  // Changes with no answer to go by: they go again soon (a Wi-Fi blip), then less often.
  function notDelivered(changes) {
    failures += 1;
    retry = setTimeout(flush, Math.min(RETRY_EVERY, FIRST_RETRY * Math.pow(3, failures - 1)));
    changes.forEach(function (change) {
      fieldsOf(change).forEach(function (id) { fieldState(id, "waiting"); });
    });
    showStatus();
  }

  // One delivery of a batch: the CMS's answers ([{key, status, answer}], one per change it
  // took); a rejection when there is nothing to go by (no connection or answer, signed out,
  // an expired page, a busy server), and the batch goes again later, each change under its
  // key.
  function send(batch) {
    var body = JSON.stringify({changes: batch.map(function (change) {
      return {key: change.key, kind: change.kind, meeting: change.meeting, value: change.value || "",
              item_id: change.item || null,
              version: change.version === null || change.version === undefined ? null : change.version};
    })});
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, ANSWER_WITHIN);
    return fetch(changesUrl, {method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                              headers: {"X-CSRFToken": csrf, "Accept": "application/json",
                                        "Content-Type": "application/json"},
                              signal: controller ? controller.signal : undefined})
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) {
          signedOut = true;
          throw new Error("signed out");
        }
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if (response.status !== 200 || !json) throw new Error("try again later");
        return response.json().then(function (reply) {
          if (!reply || !Array.isArray(reply.answers)) throw new Error("try again later");
          return reply.answers;
        });
      })
      .then(function (answers) {
        clearTimeout(timer);
        return answers;
      }, function (error) {
        clearTimeout(timer);
        throw error;
      });
  }

  // What the CMS answered, for the outbox and the page.
  function answered(change, status, answer) {
    var outcome = Outbox.outcomeOf(change, status, answer);
    var queue = load();
    if (outcome === "saved" || outcome === "refused") {
      save(Outbox.settle(queue, change, outcome, answer));
      if (outcome === "saved") {
        synced = true;
        rememberSaved(change, answer);
      }
    } else if (outcome === "conflict") {
      save(Outbox.hold(queue, change.key, {conflict: answer}));
    } else {
      var fault = status === 422 ? "The CMS refused this change's key as another change's." :
        "The CMS's answer was not for this change.";
      save(Outbox.hold(queue, change.key, {fault: fault}));
      // A fault of the app, not of the network: reported, and the change kept, unsaved.
      console.error("iPad outbox fault: " + fault, {change: change, status: status, answer: answer});
    }
    show(change, outcome, answer || {});
  }

  function rememberSaved(change, answer) {
    var value = isNote(change) ? answer.text : change.kind === "reorder" ? answer.order : change.value;
    if (isNote(change) || ["interest", "screener", "reorder"].indexOf(change.kind) !== -1) {
      saveSaved(Outbox.remember(loadSaved(), change, value, isNote(change) ? answer.version : null));
    }
  }

  function fieldsOf(change) {
    return change.field && change.meeting === meetingId ? [change.field] : [];
  }

  // --- What the CMS answered -----------------------------------------------------------

  // The change may be another meeting's (sent from this page after a reconnection): only
  // this meeting's fields are touched here.
  function show(change, outcome, answer) {
    var here = change.meeting === meetingId;
    var field = here && change.field && document.getElementById(change.field);
    var state = here ? change.field : null;
    if (outcome === "saved") {
      if (isNote(change) && field) field.dataset.version = answer.version;
      if (change.kind === "add_item" && here) refreshItems();
      if (change.kind === "send_summary" && here) {
        say("send-state", "Sent to " + answer.sent_to + " buyer" + (answer.sent_to === 1 ? "" : "s") + ".");
        showSent(answer);
      }
      // A newer change of the field still waiting: not saved yet.
      var newer = load().some(function (c) { return Outbox.sameField(c, change); });
      fieldState(state, newer ? (navigator.onLine ? "saving" : "waiting") : "saved");
    } else if (outcome === "conflict") {
      var kept = load().filter(function (c) { return c.key === change.key; })[0];
      if (field && kept) showConflict(field, kept);
    } else if (outcome === "fault") {
      fieldState(state, "error", "Not saved: the CMS answered wrongly (kept on this device)");
      if (change.kind === "send_summary" && here) say("send-state", "Not sent: the CMS answered wrongly.");
    } else {
      fieldState(state, "error", answer.error || "Not saved.");
      if (change.kind === "send_summary" && here) say("send-state", answer.error || "Not sent.");
      if (change.kind === "reorder" && here) refreshItems();  // the order the CMS has
    }
    showStatus();
  }

  var STATES = {saving: "Saving…", saved: "Saved", waiting: "Waiting for the connection",
                conflict: "Changed on the website: choose", error: "Not saved"};

  function fieldState(id, state, message) {
    if (!id) return;
    // An item's interest mark and screener toggle share one state beside them.
    var box = document.querySelector("[data-state-for='" + id.replace(/^(interest|screener)-/, "marks-") + "']");
    if (!box) return;
    box.textContent = message || STATES[state];
    box.dataset.state = state;
  }

  // After a send: who got it and when, and the button now re-sends (asking first).
  function showSent(answer) {
    var note = document.getElementById("summary-sent");
    var button = document.getElementById("send-summary");
    if (note && answer.note) {
      note.textContent = answer.note;
      note.hidden = false;
    }
    if (button) {
      button.textContent = "Re-send";
      button.dataset.confirm = "Re-send the summary to " + plural(answer.sent_to, "buyer") +
        "? It has gone out before.";
    }
  }

  function say(id, text) {
    var box = document.getElementById(id);
    if (box) box.textContent = text;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  // "All changes saved" only when the CMS has answered for every change, typing included.
  function showStatus() {
    if (!statusBox) return;
    var typing = Object.keys(timers).map(function (id) {
      return {field: id, meeting: meetingId, user: userId};
    });
    var n = Outbox.counts(load(), userId, typing);
    var parts = [];
    if (n.waiting) {
      parts.push(signedOut ? "Sign in again to send " + plural(n.waiting, "waiting change") :
                 navigator.onLine ? "Sending " + plural(n.waiting, "change") + "…" :
                 "Offline: " + plural(n.waiting, "change") + " waiting");
    }
    if (n.conflicts) {
      parts.push((parts.length ? "" : "Changed on the website: ") + plural(n.conflicts, "change") + " to choose");
    }
    if (n.faults) {
      parts.push("Not saved: " + plural(n.faults, "change") + " the CMS answered wrongly, kept on " +
                 "this device (please report this)");
    }
    statusBox.hidden = false;
    statusBox.dataset.state = n.faults ? "error" : n.waiting ?
      (navigator.onLine && !signedOut ? "syncing" : "waiting") : n.conflicts ? "conflict" : "saved";
    statusBox.textContent = parts.length ? parts.join(" · ") : "All changes saved";
  }

  function showConflict(field, kept) {
    var answer = kept.conflict;
    fieldState(field.id, "conflict");
    var old = document.getElementById(field.id + "-conflict");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "conflict";
    box.id = field.id + "-conflict";
    box.setAttribute("role", "alert");
    var theirs = document.createElement("p");
    theirs.className = "pre";
    theirs.textContent = answer.text || "(empty)";
    var heading = document.createElement("p");
    heading.innerHTML = "<strong>Changed on the website meanwhile.</strong> Their text:";
    box.append(heading, theirs);
    [["Keep mine", "mine"], ["Keep theirs", "theirs"], ["Keep both", "both"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[0];
      button.dataset.resolve = pair[1];
      box.append(button);
    });
    box.addEventListener("click", function (event) {
      var choice = event.target.dataset && event.target.dataset.resolve;
      if (choice) resolve(field, choice, box);
    });
    field.insertAdjacentElement("afterend", box);
  }

  // The host's choice: their text (sent again, now based on the website's version), the
  // website's, or both.
  function resolve(field, choice, box) {
    clearTimeout(timers[field.id]);
    delete timers[field.id];
    box.remove();
    var chosen = Outbox.resolve(load(), {field: field.id, meeting: meetingId, user: userId}, choice,
                                field.value, newKey);
    save(chosen.queue);
    field.value = chosen.text;
    if (chosen.version !== null) field.dataset.version = chosen.version;
    if (choice === "theirs" && chosen.held) {
      saveSaved(Outbox.remember(loadSaved(), chosen.held, chosen.text, chosen.version));
      fieldState(field.id, "saved");
    } else {
      fieldState(field.id, navigator.onLine ? "saving" : "waiting");
    }
    showStatus();
    flush();
  }

  // --- Taps and typing -----------------------------------------------------------------

  function itemOf(element) {
    var item = element.closest("[data-item]");
    return item && item.dataset.item;
  }

  function queueNote(field) {
    clearTimeout(timers[field.id]);
    delete timers[field.id];
    fieldState(field.id, navigator.onLine ? "saving" : "waiting");
    var queued = enqueue({kind: field.dataset.kind, field: field.id, item: itemOf(field),
                          value: field.value, version: field.dataset.version});
    if (queued.conflict) fieldState(field.id, "conflict");
  }

  function onTap(event) {
    var button = event.target.closest("button[data-kind]");
    if (!button || !main.contains(button)) return;
    var item = itemOf(button);
    if (button.dataset.kind === "interest") {
      var on = button.getAttribute("aria-pressed") !== "true";
      var group = button.closest(".marks");
      group.querySelectorAll("[data-kind=interest]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(on && b === button));
      });
      fieldState("interest-" + item, navigator.onLine ? "saving" : "waiting");
      enqueue({kind: "interest", field: "interest-" + item, item: item,
               value: on ? button.dataset.value : "none"});
    } else if (button.dataset.kind === "screener") {
      var pressed = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(pressed));
      fieldState("screener-" + item, navigator.onLine ? "saving" : "waiting");
      enqueue({kind: "screener", field: "screener-" + item, item: item, value: pressed ? "on" : "off"});
    }
  }

  function onType(event) {
    var field = event.target;
    if (!field.matches || !field.matches("textarea[data-kind]")) return;
    if (!document.getElementById(field.id + "-conflict")) fieldState(field.id, "saving");
    clearTimeout(timers[field.id]);
    timers[field.id] = setTimeout(function () { queueNote(field); }, NOTE_DELAY);
    showStatus();
  }

  function onLeave(event) {
    var field = event.target;
    if (field.matches && field.matches("textarea[data-kind]") && timers[field.id]) queueNote(field);
  }

  function onAdd(event) {
    var button = event.target.closest("[data-add-programme]");
    if (!button) return;
    button.disabled = true;
    button.textContent = "Added";
    // A season or an episode is the programme's with its `part` ("season:12", "episode:34").
    enqueue({kind: "add_item", item: button.dataset.addProgramme, value: button.dataset.part || "",
             title: button.dataset.title});
    showPending();
  }

  function onSend(event) {
    var button = event.target.closest("#send-summary");
    if (!button) return;
    // Before the meeting's start the host confirms sending so early; the CMS refuses an
    // early send that does not say so.
    var early = Date.now() < Date.parse(button.dataset.startsAt);
    if (!window.confirm(early ? button.dataset.confirmEarly : button.dataset.confirm)) return;
    enqueue(early ? {kind: "send_summary", value: "before_start"} : {kind: "send_summary"});
    say("send-state", navigator.onLine ? "Sending…" :
        "Offline: the summary goes out once the changes before it have synced.");
  }

  function showMarks(item, kind, value) {
    if (kind === "interest") {
      document.querySelectorAll("#meeting-item-" + item + " [data-kind=interest]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.dataset.value === value));
      });
    } else {
      var toggle = document.querySelector("#meeting-item-" + item + " [data-kind=screener]");
      if (toggle) toggle.setAttribute("aria-pressed", String(value === "on"));
    }
  }

  // Values saved since the service worker's copy of this page was kept: a reload offline
  // shows that copy, which does not have them.
  function showSaved() {
    var pageVersion = function (id) {
      var field = document.getElementById(id);
      return field ? field.dataset.version : null;
    };
    Outbox.newerThanPage(loadSaved(), userId, meetingId, pageVersion).forEach(function (v) {
      var field = document.getElementById(v.field);
      if (isNote(v) && field) {
        field.value = v.value;
        field.dataset.version = v.version;
      } else if (v.kind === "interest" || v.kind === "screener") {
        showMarks(v.item, v.kind, v.value);
      } else if (v.kind === "reorder") {
        showOrder(v.value);
      }
    });
  }

  // Changes still in the outbox shown as made: after a reload, offline, nothing looks lost.
  function showPending() {
    showSaved();
    var list = document.getElementById("meeting-items");
    load().filter(function (c) { return c.user === userId && c.meeting === meetingId; }).forEach(function (c) {
      var field = c.field && document.getElementById(c.field);
      var state = c.fault ? "error" : "waiting";
      if (isNote(c) && field) {
        field.value = c.value;
        if (c.conflict) showConflict(field, c);
        else fieldState(field.id, state);
      } else if (c.kind === "interest" || c.kind === "screener") {
        showMarks(c.item, c.kind, c.value);
        fieldState(c.field, state);
      } else if (c.kind === "add_item" && list && !document.getElementById("pending-" + c.key)) {
        var li = document.createElement("li");
        li.className = "item pending";
        li.id = "pending-" + (c.key || "new");
        li.textContent = c.title + " (added: waiting to sync)";
        list.append(li);
      } else if (c.kind === "reorder") {
        showOrder(c.value);
      } else if (c.kind === "send_summary") {
        say("send-state", "Queued: the summary goes out once the changes before it have synced.");
      }
    });
  }

  function refreshItems() {
    Object.keys(timers).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) queueNote(field);
    });
    var focused = document.activeElement && document.activeElement.id;
    fetch(main.dataset.itemsUrl, {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var list = document.getElementById("meeting-items");
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        list.replaceWith(template.content.firstElementChild);
        wireSortable();
        showPending();
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      })
      .catch(function () {});
  }

  // --- Order ---------------------------------------------------------------------------
  // The list is put in order by dragging an item's grip (SortableJS) or with its ↑ ↓ buttons.
  // The whole order goes through the outbox: sent twice, it gives the same list.

  function listed() {
    return Array.prototype.slice.call(document.querySelectorAll("#meeting-items > li.item[data-item]"));
  }

  function orderChanged() {
    enqueue({kind: "reorder", field: "order", value: listed().map(function (li) {
      return li.dataset.item;
    }).join(",")});
  }

  // An order (ids) shown as the CMS applies it: the items named take the places they hold
  // between them; any other item keeps its place.
  function showOrder(value) {
    var items = listed();
    var wanted = String(value || "").split(",");
    var named = wanted.map(function (id) { return document.getElementById("meeting-item-" + id); })
      .filter(function (li) { return li && items.indexOf(li) !== -1; });
    var slot = 0;
    var order = items.map(function (li) {
      return wanted.indexOf(li.dataset.item) !== -1 ? named[slot++] : li;
    });
    var list = document.getElementById("meeting-items");
    var after = list.querySelector("li.pending");
    order.forEach(function (li) { list.insertBefore(li, after); });
  }

  function onMove(event) {
    var button = event.target.closest("button[data-move]");
    if (!button || !main.contains(button)) return;
    var items = listed();
    var li = button.closest("li.item");
    var to = items.indexOf(li) + Number(button.dataset.move);
    if (to < 0 || to >= items.length) return;
    if (Number(button.dataset.move) < 0) items[to].before(li); else items[to].after(li);
    button.focus();
    orderChanged();
  }

  function wireSortable() {
    var list = document.getElementById("meeting-items");
    if (!list || !window.Sortable || list.dataset.sortable) return;
    list.dataset.sortable = "yes";
    window.Sortable.create(list, {
      draggable: "li.item[data-item]",
      handle: ".grip",
      forceFallback: true,  // pointer dragging, the same on an iPad and with a mouse
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) orderChanged();
      }
    });
  }

  // --- Tabs ----------------------------------------------------------------------------

  function selectTab(tab) {
    // The page's layout follows the tab: in landscape the list stays beside the tools.
    main.dataset.tab = tab.id.replace(/^tab-/, "");
    document.querySelectorAll("[role=tab]").forEach(function (t) {
      var selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    });
    if (tab.id === "tab-summary") {
      var frame = document.getElementById("summary-frame");
      frame.hidden = !navigator.onLine;
      document.getElementById("summary-offline").hidden = navigator.onLine;
      if (navigator.onLine) frame.src = frame.dataset.src + "?at=" + Date.now();
    }
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab]");
    if (tab) selectTab(tab);
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(document.querySelectorAll("[role=tab]"));
    var next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    selectTab(next);
  });

  // --- Ready offline -------------------------------------------------------------------
  // Opening the day has the service worker keep what each of its meetings needs offline:
  // the page, its artwork, and its videos if the host keeps videos on the device. Each
  // meeting then says "Ready offline" or what is missing.
  var KEEP_VIDEOS = "sales-cms.ipad.keep-videos";

  function words(text) {
    return String(text || "").split(/\s+/).filter(Boolean);
  }

  function askWorker(worker, message) {
    return new Promise(function (resolve, reject) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
      setTimeout(function () { reject(new Error("no answer")); }, 120000);
    });
  }

  function missingText(missing) {
    var parts = [];
    if (missing.pages) parts.push("the meeting's page");
    if (missing.artwork) parts.push(plural(missing.artwork, "picture"));
    if (missing.videos) parts.push(plural(missing.videos, "video"));
    return "Not ready offline: " + parts.join(", ") + " missing";
  }

  function prepareMeeting(worker, card, keepVideos) {
    var state = card.querySelector("[data-offline-state]");
    state.dataset.state = "preparing";
    state.textContent = "Getting ready for offline…";
    return askWorker(worker, {
      prepare: card.dataset.offlineMeeting,
      pages: [card.dataset.offlinePage],
      artwork: words(card.dataset.offlineArtwork),
      videos: keepVideos ? words(card.dataset.offlineVideos) : []
    }).then(function (answer) {
      var missing = answer.missing || {};
      var ready = !missing.pages && !missing.artwork && !missing.videos;
      state.dataset.state = ready ? "ready" : "missing";
      state.textContent = ready ? "Ready offline" : missingText(missing);
    }, function () {
      state.dataset.state = "missing";
      state.textContent = "Not ready offline: the device did not answer";
    });
  }

  function showStorage() {
    var box = document.getElementById("storage-used");
    if (!box || !navigator.storage || !navigator.storage.estimate) return;
    navigator.storage.estimate().then(function (estimate) {
      var mb = (estimate.usage || 0) / (1024 * 1024);
      box.textContent = "Stored on this device: " + (mb < 0.1 ? "under 0.1" : mb.toFixed(1)) + " MB";
    });
  }

  function prepareDay() {
    var cards = document.querySelectorAll("[data-offline-meeting]");
    var toggle = document.getElementById("keep-videos");
    if (!cards.length || !("serviceWorker" in navigator)) return;
    var keepVideos = localStorage.getItem(KEEP_VIDEOS) === "yes";
    if (toggle) toggle.checked = keepVideos;
    navigator.serviceWorker.ready.then(function (registration) {
      var worker = registration.active;
      // One meeting after another: on thin Wi-Fi the first meeting is ready soonest.
      return Array.prototype.reduce.call(cards, function (done, card) {
        return done.then(function () { return prepareMeeting(worker, card, keepVideos); });
      }, Promise.resolve());
    }).then(showStorage, showStorage);
  }

  var keepVideosToggle = document.getElementById("keep-videos");
  if (keepVideosToggle) {
    keepVideosToggle.addEventListener("change", function () {
      localStorage.setItem(KEEP_VIDEOS, keepVideosToggle.checked ? "yes" : "no");
      prepareDay();
    });
  }

  // --- Logging out ---------------------------------------------------------------------

  var logout = document.querySelector("form[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      var waiting = load().filter(function (c) { return c.user === userId; }).length;
      if (waiting && !window.confirm(waiting + " change" + (waiting === 1 ? " has" : "s have") +
          " not reached the CMS yet and will be lost. Log out anyway?")) {
        event.preventDefault();
        return;
      }
      localStorage.removeItem(STORE);
      localStorage.removeItem(SAVED);
      localStorage.removeItem(KEEP_VIDEOS);
      // The pages, artwork and videos kept for offline go too; the form is sent once they
      // have (or after two seconds, whatever happens).
      if (!window.caches) return;
      event.preventDefault();
      var cleared = caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      });
      var late = new Promise(function (resolve) { setTimeout(resolve, 2000); });
      Promise.race([cleared, late]).then(function () { logout.submit(); },
                                         function () { logout.submit(); });
    });
  }

  // --- Start ---------------------------------------------------------------------------

  if (main) {
    main.addEventListener("click", onTap);
    main.addEventListener("click", onAdd);
    main.addEventListener("click", onSend);
    main.addEventListener("click", onMove);
    wireSortable();
    main.addEventListener("input", onType);
    main.addEventListener("focusout", onLeave);
    // Changes made elsewhere on the page (present mode's "shown") go through the same outbox.
    document.addEventListener("ipad:change", function (event) { enqueue(event.detail); });
    showPending();
    var started = main.dataset.started === "yes" || load().some(function (c) {
      return c.user === userId && c.meeting === meetingId && c.kind === "start";
    });
    if (!started) enqueue({kind: "start"});
  }
  prepareDay();
  window.addEventListener("online", function () { signedOut = false; flush(); });
  window.addEventListener("offline", showStatus);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  // Text typed in the last moments before a reload or a closed tab goes into the outbox now.
  window.addEventListener("pagehide", function () {
    Object.keys(timers).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) queueNote(field);
    });
  });
  setInterval(flush, RETRY_EVERY);
  showStatus();
  flush();
})();
