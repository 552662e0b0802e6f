// The to-do assistant's page: model progress, streamed answers with stop, tool calls, and the live to-do list.
// Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const chatId = sessionStorage.getItem("chatId") || (() => {
  const id = "c" + Math.random().toString(36).slice(2, 12);
  sessionStorage.setItem("chatId", id);
  return id;
})();
let running = null; // the AbortController of the answer being streamed

// ---- model download / load progress --------------------------------------------------------------------------
function followModel() {
  const events = new EventSource("/api/model/events");
  events.addEventListener("status", (e) => showModel(JSON.parse(e.data), events));
  events.onerror = () => { if (events.readyState === EventSource.CLOSED) setTimeout(followModel, 2000); };
}

function showModel(status, events) {
  $("model-name").textContent = status.model;
  const box = $("model"), bar = $("progress"), label = $("model-status");
  const known = status.total > 0;
  bar.max = known ? status.total : 1;
  if (known) bar.value = status.done; else bar.removeAttribute("value");
  switch (status.phase) {
    case "WAITING": label.textContent = "Starting…"; break;
    case "DOWNLOADING":
      label.textContent = `Downloading ${status.model}: ${mb(status.done)}${known ? " of " + mb(status.total) : ""}`;
      break;
    case "LOADING":
      label.textContent = `Loading ${status.model} onto the device${known ? ": " + Math.round(100 * status.done / status.total) + "%" : "…"}`;
      break;
    case "READY":
      box.className = "ready"; label.textContent = "Ready"; events.close(); setReady(true); break;
    case "FAILED":
      box.className = "failed"; label.textContent = "The model could not be loaded: " + status.message; events.close(); break;
  }
}

const mb = (bytes) => (bytes / 1048576).toFixed(1) + " MB";

function setReady(ready) {
  $("input").disabled = !ready;
  $("send").disabled = !ready;
  if (ready) $("input").focus();
}

// ---- chat ----------------------------------------------------------------------------------------------------
function bubble(kind, text) {
  const div = document.createElement("div");
  div.className = "msg " + kind;
  div.textContent = text;
  $("messages").appendChild(div);
  scrollDown();
  return div;
}

function note(kind, text) {
  const div = document.createElement("div");
  div.className = kind;
  div.textContent = text;
  $("messages").appendChild(div);
  scrollDown();
  return div;
}

const scrollDown = () => { const m = $("messages"); m.scrollTop = m.scrollHeight; };

async function send(message) {
  bubble("user", message);
  let answer = null;
  const controller = new AbortController();
  running = controller;
  $("send").hidden = true; $("stop").hidden = false; $("input").disabled = true;
  try {
    const response = await fetch(`/api/chat/${chatId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ message }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || response.statusText);
    }
    for await (const event of serverSentEvents(response.body)) {
      const data = JSON.parse(event.data);
      if (event.event === "token") {
        if (!answer) { answer = bubble("assistant streaming", ""); }
        answer.textContent += data.text;
        scrollDown();
      } else if (event.event === "tool") {
        showToolCall(data);
        answer = null; // text after a tool call starts a new bubble
      } else if (event.event === "done") {
        showStats(data);
      } else if (event.event === "error") {
        bubble("error", data.message);
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") bubble("error", e.message);
  } finally {
    document.querySelectorAll(".msg.streaming").forEach((m) => m.classList.remove("streaming"));
    running = null;
    $("send").hidden = false; $("stop").hidden = true; $("input").disabled = false; $("input").focus();
  }
}

function showToolCall(call) {
  const div = note("tool-call", "");
  const label = document.createElement("b");
  label.textContent = "tool ";
  const result = call.result.length > 160 ? call.result.slice(0, 160) + "…" : call.result;
  div.append(label, `${call.name}(${call.arguments}) → ${result}`);
}

function showStats(done) {
  const parts = [`${done.tokens} tokens`, `${done.tokensPerSecond.toFixed(1)} tok/s`,
    `first token ${(done.timeToFirstTokenSeconds * 1000).toFixed(0)} ms`];
  if (done.finishReason === "stopped") parts.push("stopped");
  else if (done.finishReason === "length") parts.push("cut at the token limit");
  note("stats", parts.join(" · "));
}

// Reads "event:" / "data:" blocks from a fetch body as they arrive.
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: "message", data: "" };
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event.event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      event.data = data.join("\n");
      if (data.length) yield event;
    }
  }
}

async function stop() {
  // tell the server first, so the generation stops even if a proxy keeps the connection open
  await fetch(`/api/chat/${chatId}/stop`, { method: "POST" }).catch(() => {});
  if (running) running.abort();
}

// ---- to-do list ----------------------------------------------------------------------------------------------
let shown = new Map();

function followTodos() {
  const events = new EventSource("/api/todos/events");
  events.addEventListener("todos", (e) => renderTodos(JSON.parse(e.data)));
}

function renderTodos(todos) {
  const list = $("todos");
  list.replaceChildren();
  const before = shown;
  shown = new Map();
  for (const todo of todos) {
    const li = document.createElement("li");
    li.dataset.id = todo.id;
    li.className = todo.done ? "done" : "";
    const previous = before.get(todo.id);
    if (before.size && (!previous || previous.done !== todo.done)) li.classList.add("flash");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = todo.done;
    box.addEventListener("change", () => change(`/api/todos/${todo.id}/${box.checked ? "complete" : "reopen"}`, "POST"));
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = todo.title;
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = "#" + todo.id;
    const remove = document.createElement("button");
    remove.title = "Delete";
    remove.textContent = "✕";
    remove.addEventListener("click", () => change(`/api/todos/${todo.id}`, "DELETE"));
    li.append(box, title, id, remove);
    list.appendChild(li);
    shown.set(todo.id, todo);
  }
  const open = todos.filter((t) => !t.done).length;
  $("open-count").textContent = `${open} open`;
}

const change = (url, method, body) => fetch(url, {
  method, headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body),
});

// ---- wiring --------------------------------------------------------------------------------------------------
$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const message = $("input").value.trim();
  if (!message || running) return;
  $("input").value = "";
  send(message);
});
$("stop").addEventListener("click", stop);
$("new-todo").addEventListener("submit", (e) => {
  e.preventDefault();
  const title = $("new-todo-title").value.trim();
  if (!title) return;
  $("new-todo-title").value = "";
  change("/api/todos", "POST", { title });
});

followModel();
followTodos();
