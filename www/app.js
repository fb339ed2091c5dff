// Itinera portal home: who is signed in, and whether the API and its database answer.
// Loaded as a module (the Content-Security-Policy forbids inline scripts).
import { requireSession } from "/session.js";

const el = document.getElementById("health");

function show(state, text) {
  el.dataset.state = state;
  el.textContent = text;
}

// The health answer is the usual envelope; accept a few shapes of `data.database`
// ("up"/"down", {status: "up"}, true/false) so the page survives small API changes.
function databaseUp(body) {
  const db = body && body.data ? body.data.database : undefined;
  if (typeof db === "boolean") return db;
  if (typeof db === "string") return db === "up" || db === "ok";
  if (db && typeof db === "object") return db.status === "up" || db.status === "ok" || db.ok === true;
  return body ? body.ok === true : false;
}

async function checkHealth() {
  try {
    const response = await fetch("/api/health", { headers: { Accept: "application/json" }, cache: "no-store" });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body === null) {
      show("down", `API unreachable (HTTP ${response.status}).`);
    } else if (databaseUp(body)) {
      show("up", "API up, database up.");
    } else if (body.error && body.error.code === "upstream_unavailable") {
      show("down", "API down: the application is not reachable.");
    } else {
      show("down", "API up, database down.");
    }
  } catch (error) {
    show("down", `API unreachable (${error.message}).`);
  }
}

const me = await requireSession();
if (me) {
  document.getElementById("welcome").textContent = `Welcome, ${me.user.name} (${me.role} at ${me.team.name}).`;
  checkHealth();
}
