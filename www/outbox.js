// The outbox for admins (GET /api/admin/outbox): the team's events newest first with each handler's
// outcome and the last error, filtered by status (in the address, so the dashboard's counts link
// here), and Retry for an event that is not done.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { pagedList } from "/paged-list.js";
import { call, requireSession } from "/session.js";
import { el, errorText, handleSignedOut, showMessage, statusLabel, timeElement } from "/ui.js";

const $ = (id) => document.getElementById(id);
const statusSelect = $("status");
const FILTERS = ["dead", "failed", "pending", "done"];

/** The booking an event concerns, when it names one. */
function bookingOf(event) {
  const payload = event.payload || {};
  return payload.booking_id || payload.bookingId || (event.type.startsWith("booking.") ? event.aggregate_id : null);
}

function eventCell(event) {
  const booking = bookingOf(event);
  const payload = el("details", { className: "payload" }, el("summary", { text: "Payload" }),
    el("pre", { text: JSON.stringify(event.payload, null, 2) }));
  return el("td", { className: "event" },
    el("code", { text: event.type }), el("span", { className: "muted", text: ` #${event.id}` }),
    booking ? el("div", {}, el("a", {
      href: `/booking.html?id=${encodeURIComponent(booking)}`,
      text: event.payload && event.payload.booking_reference ? `Booking ${event.payload.booking_reference}` : "The booking",
    })) : null,
    payload);
}

function hasError(event) {
  return event.last_error !== null && event.last_error !== undefined;
}

/** Pending, failing (pending after an error, with the time of the next try), done or dead, with its attempts. */
function statusCell(event) {
  // As the dashboard counts: any recorded error, even an empty one.
  const failing = event.status === "pending" && hasError(event);
  const badge = el("span", {
    className: `badge badge-outbox-${failing ? "failed" : event.status}`, "data-status": event.status,
    text: failing ? "Failed, retrying" : statusLabel(event.status),
  });
  const attempts = Number(event.attempts || 0);
  const facts = [];
  if (attempts > 0) facts.push(`${attempts} attempt${attempts === 1 ? "" : "s"}`);
  const cell = el("td", { className: "status" }, badge, facts.length ? el("div", { className: "muted", text: facts.join(" · ") }) : null);
  if (failing && event.next_attempt_at) cell.append(el("div", { className: "muted" }, "Next try ", timeElement(event.next_attempt_at)));
  if (event.status === "done" && event.processed_at) cell.append(el("div", { className: "muted" }, "at ", timeElement(event.processed_at)));
  return cell;
}

function handlersCell(event) {
  const handlers = event.handlers || [];
  if (handlers.length === 0) return el("td", { className: "handlers muted", text: event.status === "done" ? "None needed" : "Not run yet" });
  return el("td", { className: "handlers" }, el("ul", { className: "plain-list" }, ...handlers.map((h) =>
    el("li", { "data-handler": h.handler, "data-status": h.status }, el("code", { text: h.handler }),
      `: ${statusLabel(h.status)}${h.attempts > 1 ? ` after ${h.attempts} attempts` : ""}`,
      h.last_error && h.status !== "done" ? el("div", { className: "error-text", text: h.last_error }) : null))));
}

function actionsCell(event) {
  const cell = el("td", { className: "actions" });
  if (event.status === "done") return cell;
  const retry = el("button", {
    type: "button", className: "secondary retry", text: "Retry now", "aria-label": `Retry event ${event.id} now`,
  });
  retry.addEventListener("click", () => retryEvent(event, retry));
  cell.append(retry);
  return cell;
}

function row(event) {
  return el(
    "tr",
    { "data-id": String(event.id), "data-status": event.status },
    eventCell(event),
    el("td", { className: "created" }, timeElement(event.created_at)),
    statusCell(event),
    handlersCell(event),
    hasError(event) ? el("td", { className: "last-error", text: event.last_error || "(no message)" })
      : el("td", { className: "muted", text: "—" }),
    actionsCell(event),
  );
}

/** Retries `event`: it is due again at once with its attempts counted from zero; its row says so. */
async function retryEvent(event, button) {
  showMessage($("retry-done"), "");
  showMessage($("retry-error"), "");
  button.disabled = true;
  const response = await call("POST", `/api/admin/outbox/${encodeURIComponent(event.id)}/retry`);
  if (handleSignedOut(response)) return;
  const tr = button.closest("tr");
  if (response.status === 200 && response.body && response.body.ok) {
    const again = row({ ...event, ...response.body.data, next_attempt_at: null });
    tr.replaceWith(again);
    again.querySelector("button.retry").focus();
    showMessage($("retry-done"), `Event #${event.id} (${event.type}) is due again now; the worker takes it next.`);
    return;
  }
  button.disabled = false;
  showMessage($("retry-error"), response.status === 404
    ? `Event #${event.id} is done already or gone: the list is shown as it is now.`
    : errorText(response, "The event was not retried"));
  if (response.status === 404) reload();
}

const list = pagedList({
  path: "/api/admin/outbox",
  params: () => ({ status: statusSelect.value }),
  ids: { table: "events-table", tbody: "events-body" },
  row,
  describe: (shown, more) => `${shown} event${shown === 1 ? "" : "s"}${more ? " so far" : ""}.`,
  failure: "The outbox could not be loaded",
  refused: (response) => {
    if (response.status !== 403) return false;
    showMessage($("page-error"), "The outbox is for the team's admins.");
    return true;
  },
  pageSize: 50,
});

/** The list from its first page, the filter kept in the address. */
function reload() {
  const query = statusSelect.value ? "?status=" + encodeURIComponent(statusSelect.value) : "";
  history.replaceState(null, "", window.location.pathname + query);
  return list.load(true);
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (me.role !== "admin") {
    showMessage($("page-error"), "The outbox is for the team's admins.");
    return;
  }
  const wanted = new URLSearchParams(window.location.search).get("status");
  if (FILTERS.includes(wanted)) statusSelect.value = wanted;
  $("filters").hidden = false;
  statusSelect.addEventListener("change", reload);
  await reload();
}

start();
