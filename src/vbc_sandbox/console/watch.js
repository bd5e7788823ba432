// The console's event list: each call's events as calls.watch() reports them, from
// /console/api/watch (the SDK's own diff, run by the sandbox). It starts once the page has
// signed in (console.js keeps the token in sessionStorage) and reads server-sent events
// with fetch, so the token stays in a header.
"use strict";

(() => {
  const list = document.getElementById("watch-events");
  const MAX_SHOWN = 200;   // the newest events; older ones scroll away
  let reading = null;

  const change = (c) => {
    const show = (value) => (value && typeof value === "object" ? (value.to || value.leg_id) : String(value));
    return `${c.what}${c.leg_id ? ` ${c.leg_id.slice(0, 8)}` : ""}: ${show(c.before)} → ${show(c.after)}`;
  };

  function add(event) {
    const item = document.createElement("li");
    item.dataset.type = event.type;
    item.dataset.call = event.call_id;
    const time = new Date(event.at).toLocaleTimeString();
    const what = event.type === "changed" ? event.changes.map(change).join("; ") : event.call.status;
    item.textContent = `${time} ${event.type} ${event.call_id.slice(0, 8)} ${event.call.from} → ${event.call.to}: ${what}`;
    list.prepend(item);
    while (list.children.length > MAX_SHOWN) list.lastChild.remove();
  }

  async function follow(token) {
    if (reading) reading.abort();
    const mine = reading = new AbortController();
    while (!mine.signal.aborted) {
      try {
        const response = await fetch("/console/api/watch", {
          headers: { "Authorization": `Bearer ${token}` }, signal: mine.signal,
        });
        if (!response.ok) return;
        list.replaceChildren();  // a new feed starts with every call in progress
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            add(JSON.parse(buffer.slice(0, end).replace(/^data: /, "")));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (mine.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  // Follow whichever token the page signs in with.
  let current = "";
  setInterval(() => {
    const token = sessionStorage.getItem("vbc-token") || "";
    if (token && token !== current) {
      current = token;
      follow(token);
    }
  }, 500);
})();
