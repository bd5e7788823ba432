// The console's event list: each call's events as calls.watch() reports them, from
// /console/api/watch (the SDK's own diff, run by the sandbox), read by console.js's follow().
// Loaded before console.js, which starts it with the state feed.
"use strict";

const MAX_EVENTS_SHOWN = 200;  // the newest; older ones scroll away

function describeChange(change) {
  const show = (value) => (value && typeof value === "object" && !Array.isArray(value)
    ? (value.to || value.leg_id) : String(value));
  const leg = change.leg_id ? ` ${change.leg_id.slice(0, 8)}` : "";
  return `${change.what}${leg}: ${show(change.before)} → ${show(change.after)}`;
}

function showEvent(list, event) {
  const item = document.createElement("li");
  item.dataset.type = event.type;
  item.dataset.call = event.call_id;
  const what = event.type === "changed" ? event.changes.map(describeChange).join("; ") : event.call.status;
  item.textContent = `${new Date(event.at).toLocaleTimeString()} ${event.type}` +
    ` ${event.call_id.slice(0, 8)} ${event.call.from} → ${event.call.to}: ${what}`;
  list.prepend(item);
  while (list.children.length > MAX_EVENTS_SHOWN) list.lastChild.remove();
}

function followEvents(signal) {
  const list = document.getElementById("watch-events");
  list.replaceChildren();
  follow("/console/api/watch", signal, (events) => events.forEach((event) => showEvent(list, event)));
}
