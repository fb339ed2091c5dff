// The client portal: the signed-in customer's bookings (newest first, page by page), and a form to
// request a new one.
import { pagedList } from "/paged-list.js";
import { call, requireSession } from "/session.js";
import { el, errorText, formatMoney, handleSignedOut, newIdempotencyKey, showMessage, statusBadge, timeElement } from "/ui.js";

const $ = (id) => document.getElementById(id);
const pageError = $("page-error");
const requestSection = $("request-section");
const requestForm = $("request-form");
const notes = $("request-notes");
const notesError = $("request-notes-error");
const requestSubmit = $("request-submit");
const requestError = $("request-error");

function bookingHref(id) {
  return "/my-booking.html?id=" + encodeURIComponent(id);
}

function row(b) {
  const link = el("a", { href: bookingHref(b.id), text: b.booking_reference });
  return el(
    "tr",
    { "data-id": b.id },
    el("td", { className: "reference" }, link),
    el("td", {}, statusBadge(b.status)),
    el("td", { className: "num", text: formatMoney(b.total_minor, b.currency) }),
    el("td", {}, timeElement(b.departure_at)),
  );
}

const list = pagedList({
  path: "/api/customer/bookings",
  ids: { table: "bookings-table", tbody: "bookings-body" },
  row,
  describe: (shown, more) => (more ? `Your newest ${shown} bookings.` : ""),
  failure: "Your bookings could not be loaded",
  refused: (response) => {
    if (response.status !== 403) return false;
    showMessage(pageError, "This page is for customers: staff use the Bookings page, suppliers My assignments.");
    return true;
  },
});

// One key per intended submission: a retry after a network failure reuses it, a new text gets a new one.
let pendingKey = null;
let pendingText = null;

async function submitRequest(event) {
  event.preventDefault();
  const text = notes.value.trim();
  showMessage(requestError, "");
  showMessage(notesError, "");
  notes.removeAttribute("aria-invalid");
  if (text === "") {
    showMessage(notesError, "Tell us what you would like to book.");
    notes.setAttribute("aria-invalid", "true");
    notes.focus();
    return;
  }
  if (pendingKey === null || pendingText !== text) {
    pendingKey = newIdempotencyKey();
    pendingText = text;
  }
  requestSubmit.disabled = true;
  const response = await call("POST", "/api/customer/bookings", { notes: text }, { "Idempotency-Key": pendingKey });
  requestSubmit.disabled = false;
  if (handleSignedOut(response)) return;
  if ((response.status === 201 || response.status === 200) && response.body && response.body.ok) {
    pendingKey = null;
    window.location.assign(bookingHref(response.body.data.id));
    return;
  }
  const fields = response.body && response.body.error && response.body.error.details && response.body.error.details.fields;
  if (response.status === 400 && fields && fields.notes) {
    showMessage(notesError, `Notes ${fields.notes}.`);
    notes.setAttribute("aria-invalid", "true");
    notes.focus();
    return;
  }
  if (response.status !== 0) pendingKey = null;
  showMessage(requestError, errorText(response, "The request could not be sent"));
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  requestForm.addEventListener("submit", submitRequest);
  if (await list.load(true)) requestSection.hidden = false;
}

start();
