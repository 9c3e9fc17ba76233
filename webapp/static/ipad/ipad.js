// The in-meeting view: every tap and note goes into an outbox kept on the device
// (localStorage) and is sent to the CMS in order, at once when online, later when not.
// Each change carries an idempotency key, so a change sent twice is applied once, and
// notes carry the version they were based on, so an edit made meanwhile on the website
// comes back as a conflict to resolve, never as a silent overwrite.
(function () {
  "use strict";

  var STORE = "sales-cms.ipad.outbox";
  var NOTE_DELAY = 700;
  var RETRY_EVERY = 10000;
  var script = document.currentScript;
  var userId = document.body.dataset.user;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var main = document.querySelector("main.meeting");
  var meetingId = main && main.dataset.meeting;
  var statusBox = document.getElementById("sync-status");
  var flushing = false;
  var sending = null;  // the key of the change on its way
  var synced = false;  // a change reached the CMS since the page was last kept
  var signedOut = false;
  var timers = {};

  if ("serviceWorker" in navigator && script && script.dataset.serviceWorker) {
    navigator.serviceWorker.register(script.dataset.serviceWorker).then(keepPage, function () {});
  }

  // The worker keeps a copy of this page as the CMS has it: now (its first load came before
  // the worker) and whenever everything waiting has synced, so a reload offline shows it.
  function keepPage() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({keep: location.href});
    });
  }

  // --- The outbox ----------------------------------------------------------------------

  function load() {
    try {
      var all = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(all) ? all : [];
    } catch (error) {
      return [];
    }
  }

  function save(queue) {
    localStorage.setItem(STORE, JSON.stringify(queue));
  }

  function mine(queue) {
    return queue.filter(function (c) { return c.user === userId; });
  }

  // Field ids repeat across meetings ("meeting-notes"): a field is the id within its meeting.
  function sameField(a, b) {
    return !!a.field && a.field === b.field && a.meeting === b.meeting && a.user === b.user;
  }

  // A change the CMS answered with a conflict stays on the device, held, until the host
  // chooses: neither text is lost by a reload or a closed tab meanwhile.
  function held(queue) {
    return queue.filter(function (c) { return c.conflict; });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // A note, mark or toggle not yet sent is replaced by a newer one of the same field; the
  // change being sent stays, and the newer one follows it. Nothing is merged into a change
  // queued before a Send (the summary goes out as it stood when Send was tapped), except
  // into a held conflict, which keeps the host's latest text until they choose.
  function enqueue(change) {
    var queue = load();
    change.user = userId;
    change.meeting = meetingId;
    change.url = main.dataset.changesUrl;
    var lastSend = -1;
    queue.forEach(function (c, i) {
      if (c.kind === "send_summary" && c.meeting === meetingId && c.user === userId) lastSend = i;
    });
    if (change.kind === "send_summary" && lastSend !== -1 && queue[lastSend].key !== sending) {
      return queue[lastSend];  // one Send waiting is enough
    }
    var waiting = queue.filter(function (c, i) {
      return sameField(c, change) && c.key !== sending && (c.conflict || i > lastSend);
    })[0];
    if (waiting) {
      waiting.value = change.value;
    } else {
      change.key = newKey();
      queue.push(change);
    }
    save(queue);
    showStatus();
    flush();
    return waiting || change;
  }

  // The first change that may go now: held conflicts wait for the host, and so does a Send
  // queued after one of its meeting's conflicts.
  function nextToSend(queue) {
    return queue.filter(function (c, i) {
      return !c.conflict && !(c.kind === "send_summary" && queue.slice(0, i).some(function (d) {
        return d.conflict && d.meeting === c.meeting;
      }));
    })[0];
  }

  function answerOf(response) {
    return response.json().catch(function () { return {}; });
  }

  function flush() {
    if (flushing) return;
    var change = nextToSend(mine(load()));
    if (!change || !navigator.onLine) {
      if (!change && synced) keepPage();
      synced = false;
      showStatus();
      return;
    }
    flushing = true;
    sending = change.key;
    var body = new URLSearchParams({key: change.key, kind: change.kind, value: change.value || "",
                                    item_id: change.item || "", version: change.version || ""});
    fetch(change.url, {method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                       headers: {"X-CSRFToken": csrf, "Accept": "application/json"}})
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) {
          signedOut = true;
          throw new Error("signed out");
        }
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        // An expired page (CSRF) or a busy server: keep the change and try again later.
        if (response.status >= 500 || response.status === 429 || (response.status === 400 && !json)) {
          throw new Error("try again later");
        }
        return answerOf(response).then(function (answer) {
          signedOut = false;
          if (response.status === 409 && answer.version !== undefined) {
            hold(change, answer);
          } else {
            drop(change.key);
            synced = true;
          }
          sending = null;
          flushing = false;
          settle(change, response.status, answer);
          flush();
        });
      })
      .catch(function () {
        sending = null;
        flushing = false;
        fieldsOf(change).forEach(function (id) { fieldState(id, "waiting"); });
        showStatus();
      });
  }

  function drop(key) {
    save(load().filter(function (c) { return c.key !== key; }));
  }

  // Keep a conflicting change, with the CMS's text, and the newest text typed since.
  function hold(change, answer) {
    var queue = load();
    var kept = queue.filter(function (c) { return c.key === change.key; })[0];
    if (!kept) return;
    var newer = queue.filter(function (c) { return c !== kept && sameField(c, kept); });
    newer.forEach(function (c) { kept.value = c.value; });
    kept.conflict = {text: answer.text || "", version: answer.version};
    save(queue.filter(function (c) { return newer.indexOf(c) === -1; }));
  }

  function fieldsOf(change) {
    return change.field && change.meeting === meetingId ? [change.field] : [];
  }

  // --- What the CMS answered -----------------------------------------------------------

  // The change may be another meeting's (sent from this page after a reconnection): only
  // this meeting's fields are touched here.
  function settle(change, status, answer) {
    var here = change.meeting === meetingId;
    var field = here && change.field && document.getElementById(change.field);
    var state = here ? change.field : null;
    if (status === 200) {
      if (change.kind === "note" || change.kind === "meeting_notes") {
        // Changes of this field still waiting were based on this one's text: rebase them.
        var queue = load();
        queue.forEach(function (c) {
          if (sameField(c, change) && String(c.version) === String(change.version)) {
            c.version = answer.version;
          }
        });
        save(queue);
        if (field) field.dataset.version = answer.version;
      }
      if (change.kind === "add_item" && here) refreshItems();
      if (change.kind === "send_summary" && here) {
        say("send-state", "Sent to " + answer.sent_to + " buyer" + (answer.sent_to === 1 ? "" : "s") + ".");
      }
      fieldState(state, "saved");
    } else if (status === 409 && answer.version !== undefined) {
      var kept = load().filter(function (c) { return c.key === change.key; })[0];
      if (field && kept) showConflict(field, kept);
    } else {
      fieldState(state, "error", answer.error || "Not saved.");
      if (change.kind === "send_summary" && here) say("send-state", answer.error || "Not sent.");
    }
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

  function say(id, text) {
    var box = document.getElementById(id);
    if (box) box.textContent = text;
  }

  function showStatus() {
    if (!statusBox) return;
    var queue = mine(load());
    var choose = held(queue).length;
    var waiting = queue.length - choose;
    var toChoose = choose + " change" + (choose === 1 ? "" : "s") + " to choose";
    statusBox.hidden = false;
    statusBox.dataset.state = waiting ? (navigator.onLine && !signedOut ? "syncing" : "waiting") :
      choose ? "conflict" : "saved";
    statusBox.textContent = !waiting ? (choose ? "Changed on the website: " + toChoose : "All changes saved") :
      (signedOut ? "Sign in again to send " + waiting + " waiting change" + (waiting === 1 ? "" : "s") :
       (navigator.onLine ? "Sending " : "Offline: ") + waiting + " change" + (waiting === 1 ? "" : "s") +
       (navigator.onLine ? "…" : " waiting")) + (choose ? " · " + toChoose : "");
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
  // website's, or both. A fresh key: the old one's answer was the conflict.
  function resolve(field, choice, box) {
    clearTimeout(timers[field.id]);
    delete timers[field.id];
    var queue = load();
    var kept = queue.filter(function (c) {
      return c.conflict && sameField(c, {field: field.id, meeting: meetingId, user: userId});
    })[0];
    box.remove();
    if (!kept) return;
    field.dataset.version = kept.conflict.version;
    if (choice === "theirs") {
      field.value = kept.conflict.text;
      queue = queue.filter(function (c) { return c !== kept; });
      fieldState(field.id, "saved");
    } else {
      if (choice === "both") field.value = (kept.conflict.text + "\n\n" + field.value).trim();
      kept.value = field.value;
      kept.version = kept.conflict.version;
      kept.key = newKey();
      delete kept.conflict;
      fieldState(field.id, navigator.onLine ? "saving" : "waiting");
    }
    save(queue);
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
    enqueue({kind: "add_item", item: button.dataset.addProgramme, title: button.dataset.title});
    showPending();
  }

  function onSend(event) {
    var button = event.target.closest("#send-summary");
    if (!button || !window.confirm(button.dataset.confirm)) return;
    enqueue({kind: "send_summary"});
    say("send-state", navigator.onLine ? "Sending…" :
        "Offline: the summary goes out once the changes before it have synced.");
  }

  // Changes still in the outbox shown as made: after a reload, offline, nothing looks lost.
  function showPending() {
    var list = document.getElementById("meeting-items");
    mine(load()).filter(function (c) { return c.meeting === meetingId; }).forEach(function (c) {
      var field = c.field && document.getElementById(c.field);
      if ((c.kind === "note" || c.kind === "meeting_notes") && field) {
        field.value = c.value;
        if (c.conflict) showConflict(field, c);
        else fieldState(field.id, "waiting");
      } else if (c.kind === "interest") {
        document.querySelectorAll("#meeting-item-" + c.item + " [data-kind=interest]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.dataset.value === c.value));
        });
        fieldState(c.field, "waiting");
      } else if (c.kind === "screener") {
        var toggle = document.querySelector("#meeting-item-" + c.item + " [data-kind=screener]");
        if (toggle) toggle.setAttribute("aria-pressed", String(c.value === "on"));
        fieldState(c.field, "waiting");
      } else if (c.kind === "add_item" && list && !document.getElementById("pending-" + c.key)) {
        var li = document.createElement("li");
        li.className = "item pending";
        li.id = "pending-" + (c.key || "new");
        li.textContent = c.title + " (added: waiting to sync)";
        list.append(li);
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
        showPending();
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      })
      .catch(function () {});
  }

  // --- Tabs ----------------------------------------------------------------------------

  function selectTab(tab) {
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

  // --- Logging out ---------------------------------------------------------------------

  var logout = document.querySelector("form[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      var waiting = mine(load()).length;
      if (waiting && !window.confirm(waiting + " change" + (waiting === 1 ? " has" : "s have") +
          " not reached the CMS yet and will be lost. Log out anyway?")) {
        event.preventDefault();
        return;
      }
      localStorage.removeItem(STORE);
    });
  }

  // --- Start ---------------------------------------------------------------------------

  if (main) {
    main.addEventListener("click", onTap);
    main.addEventListener("click", onAdd);
    main.addEventListener("click", onSend);
    main.addEventListener("input", onType);
    main.addEventListener("focusout", onLeave);
    showPending();
    var started = main.dataset.started === "yes" || mine(load()).some(function (c) {
      return c.meeting === meetingId && c.kind === "start";
    });
    if (!started) enqueue({kind: "start"});
  }
  window.addEventListener("online", function () { signedOut = false; flush(); });
  window.addEventListener("offline", showStatus);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(flush, RETRY_EVERY);
  showStatus();
  flush();
})();
