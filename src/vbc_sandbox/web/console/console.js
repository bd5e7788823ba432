// The sandbox console: reads a live snapshot of the account (server-sent events) and acts
// through the API itself, with the signed-in user's token. No framework, no build step.
"use strict";

const API = "/t/vbc.prod/telephony/v3";
let token = sessionStorage.getItem("vbc-token") || "";
let account = "";
let feed = null;
const timelines = {};   // call id -> [[time, text]]
const seen = {};        // call id -> last state text, to add a line when it changes

const $ = (id) => document.getElementById(id);
const say = (text) => { $("status").textContent = text; };
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};

async function api(method, path, body) {
  const response = await fetch(path.startsWith("/") ? path : `${API}/cc/accounts/${account}/${path}`, {
    method,
    headers: { "Authorization": `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try { message = JSON.parse(text).message || message; } catch (e) { /* plain text */ }
    say(`${method} ${path}: ${response.status} ${message}`);
    throw new Error(message);
  }
  say(`${method} ${path}: ${response.status}`);
  return text;
}

let directory = [];
const deviceFor = (extension) =>
  (directory.find((phone) => phone.extension === extension) || {}).device || "";

function phoneState(extension, calls) {
  let state = "idle";
  for (const call of calls) {
    for (const leg of call.legs) {
      if (leg.to !== extension) continue;
      if (leg.status === "ringing") return "ringing";
      if (leg.status === "on-call") state = leg.held ? "on hold" : "on a call";
    }
  }
  return state;
}

function note(call) {
  const text = `${call.status}${call.parked ? ", parked" : ""}: ` +
    call.legs.map((leg) => `${leg.to} ${leg.status}${leg.held ? " (held)" : ""}`).join(", ");
  if (seen[call.call_id] !== text) {
    seen[call.call_id] = text;
    (timelines[call.call_id] ||= []).push([new Date().toLocaleTimeString(), text]);
  }
}

function legActions(call, leg) {
  const act = (action, label, body) => el("button", {
    "data-action": action,
    onclick: () => api("PUT", `calls/${call.call_id}/legs/${leg.leg_id}`, body()).catch(() => {}),
  }, label);
  const buttons = [];
  if (leg.status === "ringing") buttons.push(act("answer-leg", "Answer", () => ({ state: "active" })));
  if (leg.status === "on-call") {
    buttons.push(leg.held
      ? act("unhold", "Unhold", () => ({ state: "active" }))
      : act("hold", "Hold", () => ({ state: "held" })));
    buttons.push(act("dtmf", "DTMF", () => ({ dtmf: prompt("Digits to send", "1") || "1" })));
    buttons.push(act("transfer", "Transfer", () => ({
      state: "active", to: { type: "extension", destination: prompt("Transfer to extension", "1003") || "1003" },
    })));
  }
  buttons.push(el("button", {
    "data-action": "drop",
    onclick: () => api("DELETE", `calls/${call.call_id}/legs/${leg.leg_id}`).catch(() => {}),
  }, "Drop"));
  return buttons;
}

function draw(state) {
  account = state.account_id;
  directory = state.phones;
  $("account").textContent = `account ${account}`;
  $("phones").replaceChildren(...state.phones.map((phone) => {
    const status = phoneState(phone.extension, state.calls);
    return el("div", { class: "phone", "data-phone": phone.extension, "data-state": status },
      el("div", {}, el("strong", {}, phone.extension), ` ${phone.user || ""}`),
      el("div", {}, phone.device || "no desk phone"),
      el("div", { class: "state" }, status));
  }));
  state.calls.forEach(note);
  $("calls").replaceChildren(...(state.calls.length ? state.calls.map((call) => el("div",
    { class: "call", "data-call": call.call_id, "data-status": call.status },
    el("div", {}, el("strong", {}, `${call.from} → ${call.to}`),
      ` ${call.direction}, ${call.status}${call.parked ? ", parked" : ""} `,
      ...(call.status === "ringing" ? [el("button", {
        "data-action": "answer-call",
        onclick: () => api("PUT", `calls/${call.call_id}`, {
          state: "active",
          to: { type: "device", destination: prompt("Answer on device (VH id)", deviceFor(call.to)) || deviceFor(call.to) },
        }).catch(() => {}),
      }, "Answer on device")] : []),
      el("button", {
        "data-action": "hangup",
        onclick: () => api("DELETE", `calls/${call.call_id}`).catch(() => {}),
      }, "Hang up")),
    el("table", {}, ...call.legs.map((leg) => el("tr", { "data-leg": leg.leg_id, "data-status": leg.status },
      el("td", {}, `${leg.from} → ${leg.to}`),
      el("td", {}, `${leg.status}${leg.held ? " (held)" : ""}`),
      el("td", {}, ...legActions(call, leg))))),
    el("ol", { class: "timeline" }, ...(timelines[call.call_id] || []).map(
      ([time, text]) => el("li", {}, `${time} ${text}`))),
    ...(call.deliveries && call.deliveries.length ? [el("table", { class: "deliveries" },
      el("tr", {}, el("th", {}, "VIS event"), el("th", {}, "delivery"), el("th", {}, "attempt"),
        el("th", {}, "outcome")),
      ...call.deliveries.map((delivery) => el("tr", { "data-delivery": delivery.state },
        el("td", {}, delivery.event || ""), el("td", {}, delivery.state),
        el("td", {}, String(delivery.attempt)), el("td", {}, delivery.outcome || ""))))] : [])))
    : [el("p", {}, "No call in progress.")]));
}

// One server-sent event: its name (if any) and its data, parsed; comments have no data.
function parse(text) {
  const message = {};
  for (const line of text.split("\n")) {
    if (line.startsWith("event: ")) message.event = line.slice(7);
    if (line.startsWith("data: ")) message.data = JSON.parse(line.slice(6));
  }
  return message;
}

// A live feed: server-sent events read with fetch, so the token travels in a header (an
// EventSource would have to put it in the URL, where access logs keep it). `onData` gets
// each message's data; the feed reconnects when the stream breaks and ends for good when
// the token is refused or `signal` aborts.
async function follow(path, signal, onData) {
  while (!signal.aborted) {
    try {
      const response = await fetch(path, { headers: { "Authorization": `Bearer ${token}` }, signal });
      if (response.status === 401) { say("The live feed refused the token; sign in again."); return; }
      if (!response.ok) throw new Error(`the live feed answered ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (message.event === "error") {
            // The token expired or went with a reset: the feed has ended for good.
            if (message.data.code === 401) { say(`${message.data.message}; sign in again.`); return; }
            continue;  // the database is away: the stream ends, and the feed reconnects
          }
          if (message.data === undefined) continue;  // a comment that keeps the stream open
          onData(message.data);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
    }
    say("Live feed interrupted; reconnecting.");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function connect() {
  if (feed) feed.abort();
  feed = new AbortController();
  follow("/console/api/events", feed.signal, (state) => {
    document.querySelector("main").hidden = false;
    draw(state);
  });
  followEvents(feed.signal);  // watch.js: each call's events, as calls.watch() reports them
}

async function signIn(event) {
  event.preventDefault();
  if ($("token").value) {
    token = $("token").value.trim();
  } else {
    const user = $("username").value.trim();
    const form = new URLSearchParams({
      grant_type: "password", scope: "openid",
      username: user.endsWith("@vbc.prod") ? user : `${user}@vbc.prod`, password: $("password").value,
      client_id: $("client_id").value, client_secret: $("client_secret").value,
    });
    const response = await fetch("/token", { method: "POST", body: form });
    const answer = await response.json();
    if (!response.ok) { say(`Sign-in refused: ${answer.error_description || answer.error}`); return; }
    token = answer.access_token;
  }
  const check = await fetch("/console/api/state", { headers: { "Authorization": `Bearer ${token}` } });
  if (!check.ok) { say("That token is not valid here."); return; }
  sessionStorage.setItem("vbc-token", token);
  say("Signed in.");
  connect();
}

$("login").addEventListener("submit", signIn);
$("inbound").addEventListener("submit", (event) => {
  event.preventDefault();
  api("POST", "/console/api/inbound-calls",
    { from: $("inbound-from").value, to: $("inbound-to").value }).catch(() => {});
});
if (token) connect();
