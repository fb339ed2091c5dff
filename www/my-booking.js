// The client portal's booking page: a summary, the items (read-only), the travelers and the
// client's own flights (editable, saved together), the payments with a "Pay now" that opens the
// checkout, and the documents with download links.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { api, call, requireSession } from "/session.js";
import {
  CLOSED_STATUSES, PAYABLE_STATUSES, dataTable, documentCell, el, errorText, formatMoney, handleSignedOut, newIdempotencyKey,
  paymentBadge, showMessage, statusBadge, statusLabel, text, timeElement,
} from "/ui.js";

const bookingId = new URLSearchParams(window.location.search).get("id");

const $ = (id) => document.getElementById(id);
const loading = $("loading");
const bookingError = $("booking-error");
const container = $("booking");
const form = $("details-form");
const travelersBox = $("travelers");
const flightsBox = $("flights");
const saveButton = $("save");
const saveError = $("save-error");
const saveDone = $("save-done");
const payNow = $("pay-now");
const continuePayment = $("continue-payment");
const payError = $("pay-error");

let payments = null; // the last GET …/payments answer's data

// The editable fields: API name (camelCase, as in the PUT body and in error keys), the booking
// detail's name, the label, and the input's type and limits.
const TRAVELER_FIELDS = [
  { name: "firstName", from: "first_name", label: "First name", required: true, maxlength: 100, autocomplete: "given-name" },
  { name: "lastName", from: "last_name", label: "Last name", required: true, maxlength: 100, autocomplete: "family-name" },
  { name: "email", from: "email", label: "E-mail", type: "email", maxlength: 254, autocomplete: "email" },
  { name: "phone", from: "phone", label: "Phone", type: "tel", maxlength: 40, autocomplete: "tel" },
  { name: "dateOfBirth", from: "date_of_birth", label: "Date of birth", type: "date" },
  { name: "passportNumber", from: "passport_number", label: "Passport no.", maxlength: 9, size: "small" },
  { name: "nationality", from: "nationality", label: "Nationality", maxlength: 2, size: "tiny", hint: "e.g. SE" },
  { name: "dietary", from: "dietary", label: "Dietary needs", maxlength: 500, size: "grow" },
  { name: "accessibility", from: "accessibility", label: "Accessibility needs", maxlength: 500, size: "grow" },
];

const FLIGHT_FIELDS = [
  { name: "flightNumber", from: "flight_number", label: "Flight number", required: true, maxlength: 8, size: "small", hint: "e.g. LX92" },
  { name: "departureAirport", from: "departure_airport", label: "From", required: true, maxlength: 3, size: "tiny", hint: "Airport, e.g. ZRH" },
  { name: "arrivalAirport", from: "arrival_airport", label: "To", required: true, maxlength: 3, size: "tiny", hint: "Airport, e.g. GRU" },
  { name: "departsAt", from: "departs_at", label: "Departs", type: "datetime-local", required: true, size: "datetime" },
  { name: "arrivesAt", from: "arrives_at", label: "Arrives", type: "datetime-local", size: "datetime" },
];

let nextInputId = 1;


/** An ISO timestamp as a datetime-local value in the browser's time zone ("" when absent). */
function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (local time) as an ISO UTC timestamp; null when empty or invalid. */
function toISO(local) {
  if (!local) return null;
  const date = new Date(local); // "YYYY-MM-DDTHH:MM" without a zone is local time
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A date from the API ("1990-05-17" or a timestamp) as a date input's value. */
function toDateInput(value) {
  if (!value) return "";
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(String(value));
  return match ? match[1] : "";
}

function field(spec, value) {
  const id = `f${nextInputId++}`;
  const input = el("input", {
    id,
    name: spec.name,
    type: spec.type || "text",
    maxlength: spec.maxlength,
    autocomplete: spec.autocomplete || "off",
    required: spec.required,
    "data-field": spec.name,
    "aria-describedby": `${id}-error`,
  });
  input.value = value;
  const label = el("label", { for: id, text: spec.label + (spec.required ? " *" : "") });
  const error = el("p", { id: `${id}-error`, className: "field-error", hidden: true });
  const size = spec.size ? ` field-${spec.size}` : "";
  const wrap = el("div", { className: `field${size}`, "data-field": spec.name }, label, input);
  if (spec.hint) {
    const hint = el("p", { id: `${id}-hint`, className: "hint", text: spec.hint });
    input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
    wrap.append(hint);
  }
  wrap.append(error);
  return wrap;
}

function renumber(box, noun) {
  const rows = [...box.children];
  rows.forEach((row, i) => {
    row.querySelector("legend").textContent = `${noun} ${i + 1}`;
    row.querySelector(".remove").setAttribute("aria-label", `Remove ${noun.toLowerCase()} ${i + 1}`);
  });
  $(box === travelersBox ? "no-travelers" : "no-flights").hidden = rows.length !== 0;
}

function addRow(box, specs, noun, values, convert) {
  const row = el("fieldset", { className: "row-box" }, el("legend", {}));
  row.classList.add(box === travelersBox ? "traveler-row" : "flight-row");
  const grid = el("div", { className: "row-grid" });
  for (const spec of specs) grid.append(field(spec, convert(spec, values ? values[spec.from] : null)));
  const remove = el("button", { type: "button", className: "secondary remove", text: `Remove` });
  remove.addEventListener("click", () => {
    const rows = [...box.children];
    const index = rows.indexOf(row);
    row.remove();
    renumber(box, noun);
    const after = box.children[index] || box.children[index - 1];
    (after ? after.querySelector("input") : $(box === travelersBox ? "add-traveler" : "add-flight")).focus();
  });
  row.append(grid, remove);
  box.append(row);
  renumber(box, noun);
  return row;
}

function travelerValue(spec, value) {
  if (value === null || value === undefined) return "";
  return spec.type === "date" ? toDateInput(value) : String(value);
}

function flightValue(spec, value) {
  if (value === null || value === undefined) return "";
  return spec.type === "datetime-local" ? toLocalInput(value) : String(value);
}

function addTraveler(values) {
  return addRow(travelersBox, TRAVELER_FIELDS, "Traveler", values, travelerValue);
}

function addFlight(values) {
  return addRow(flightsBox, FLIGHT_FIELDS, "Flight", values, flightValue);
}

/** The rows as the PUT body's lists; empty optional fields are left out. */
function collect() {
  const read = (box, specs, convert) =>
    [...box.children].map((row) => {
      const out = {};
      for (const spec of specs) {
        const raw = row.querySelector(`input[data-field="${spec.name}"]`).value.trim();
        if (raw === "") continue;
        out[spec.name] = convert(spec, raw);
      }
      return out;
    });
  return {
    travelers: read(travelersBox, TRAVELER_FIELDS, (spec, raw) => (spec.name === "nationality" ? raw.toUpperCase() : raw)),
    flights: read(flightsBox, FLIGHT_FIELDS, (spec, raw) => (spec.type === "datetime-local" ? toISO(raw) ?? raw : raw)),
  };
}

function clearErrors() {
  for (const node of form.querySelectorAll(".field-error")) showMessage(node, "");
  for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  showMessage(saveError, "");
  showMessage(saveDone, "");
}

/** Puts each `travelers[0].passportNumber`-style error next to its input; returns the first input marked. */
function showFieldErrors(fields) {
  let first = null;
  const unplaced = [];
  for (const [key, message] of Object.entries(fields)) {
    const match = /^(travelers|flights)\[(\d+)\]\.(\w+)$/.exec(key);
    const box = match ? (match[1] === "travelers" ? travelersBox : flightsBox) : null;
    const row = box ? box.children[Number(match[2])] : null;
    const input = row ? row.querySelector(`input[data-field="${match[3]}"]`) : null;
    if (!input) {
      unplaced.push(`${key} ${message}`);
      continue;
    }
    const label = form.querySelector(`label[for="${input.id}"]`);
    const name = label ? label.textContent.replace(/ \*$/, "") : match[3];
    showMessage($(`${input.id}-error`), `${name} ${message}.`);
    input.setAttribute("aria-invalid", "true");
    if (!first) first = input;
  }
  return { first, unplaced };
}



/**
 * What the traveller needs to know of the supplier's answer: confirmed, with the confirmation number
 * to show at the counter, or cancelled. A declined item stays "Awaiting confirmation" while the
 * agency finds another; an item no supplier delivers is simply included.
 */
function confirmationText(item) {
  if (!item.supplier_id) return "Included";
  if (item.supplier_status === "confirmed") {
    return item.supplier_reference ? `Confirmed · ${item.supplier_reference}` : "Confirmed";
  }
  if (item.supplier_status === "cancelled") return "Cancelled";
  return "Awaiting confirmation";
}

function render(b) {
  document.title = `${b.booking_reference} · Itinera`;
  $("booking-ref").textContent = b.booking_reference;
  $("booking-status").replaceChildren(statusBadge(b.status));
  $("booking-total").textContent = formatMoney(b.total_minor, b.currency);
  $("booking-departure").replaceChildren(timeElement(b.departure_at));
  $("booking-created").replaceChildren(timeElement(b.created_at));
  showMessage($("booking-notes"), b.notes ? `Notes: ${b.notes}` : "");
  $("items").replaceChildren(
    dataTable(
      "Items",
      [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
        { label: "Line total", num: true }, { label: "Confirmation" }],
      (b.items || []).map((i) => [text(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
        formatMoney(i.total_minor, b.currency), confirmationText(i)]),
      "No items yet: our team adds them with the quotation.",
    ),
  );
  travelersBox.replaceChildren();
  flightsBox.replaceChildren();
  for (const t of b.travelers || []) addTraveler(t);
  for (const f of b.client_flights || []) addFlight(f);
  renumber(travelersBox, "Traveler");
  renumber(flightsBox, "Flight");
  $("documents").replaceChildren(
    dataTable(
      "Documents",
      [{ label: "Document" }, { label: "Kind" }, { label: "Status" }, { label: "Date" }],
      (b.documents || []).map((d) => [documentCell(d), statusLabel(d.kind), statusLabel(d.status), timeElement(d.created_at)]),
      "No documents yet.",
    ),
  );
  // A closed booking's travelers and flights stay as they are (the server refuses changes too).
  const closed = CLOSED_STATUSES.includes(b.status);
  showMessage($("details-closed"), closed ? `This booking is ${b.status}: its travelers and flights can no longer be changed.` : "");
  for (const control of $("details-form").querySelectorAll("input, select, textarea, button")) control.disabled = closed;
}

function renderPayments(data) {
  payments = data;
  const { booking } = data;
  const totals = (data.totals || []).find((t) => t.currency === booking.currency) || {
    currency: booking.currency, captured_minor: 0, refunded_minor: 0, outstanding_minor: booking.total_minor,
  };
  $("payments-paid").textContent = formatMoney(totals.captured_minor, totals.currency);
  $("payments-refunded").textContent = formatMoney(totals.refunded_minor, totals.currency);
  $("payments-refunded-fact").hidden = !(totals.refunded_minor > 0);
  $("payments-outstanding").textContent = formatMoney(totals.outstanding_minor, totals.currency);
  $("payments").replaceChildren(
    dataTable(
      "Payments",
      [{ label: "Date" }, { label: "Provider" }, { label: "Amount", num: true }, { label: "Status" }],
      (data.payments || []).map((p) => [timeElement(p.created_at), text(p.provider),
        formatMoney(p.amount_minor, p.currency), paymentBadge(p.status)]),
      "No payments yet.",
    ),
  );
  // Open checkouts hold part of the balance: offer to continue one rather than start another.
  const payable = totals.outstanding_minor - (totals.open_minor || 0);
  const canPay = PAYABLE_STATUSES.includes(booking.status);
  payNow.hidden = !(payable > 0 && canPay);
  const open = openSandboxPayments();
  continuePayment.hidden = !(canPay && payable <= 0 && open.length > 0);
  if (!continuePayment.hidden) continuePayment.href = open[open.length - 1].checkout_url;
}

/** Sandbox payments still waiting at their checkout page, oldest first. */
function openSandboxPayments() {
  return (payments ? payments.payments : []).filter(
    (p) => p.provider === "sandbox" && p.status === "requires_action" && typeof p.checkout_url === "string"
      && p.checkout_url.startsWith("/") && !p.checkout_url.startsWith("//"),
  );
}

/** Loads the payments panel; a failure shows in the panel and leaves the rest of the page alone. */
async function loadPayments() {
  const response = await call("GET", `/api/customer/bookings/${encodeURIComponent(bookingId)}/payments`);
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    renderPayments(response.body.data);
    return;
  }
  payNow.hidden = true;
  showMessage(payError, errorText(response, "The payments could not be loaded"));
}

/** "Pay now": a sandbox payment for the whole balance, then its checkout page. */
async function pay() {
  payNow.disabled = true;
  showMessage(payError, "");
  continuePayment.hidden = true;
  $("pay-status").textContent = "Starting the payment…";
  const response = await call("POST", "/api/payments/create-intent",
      { bookingId, provider: "sandbox", idempotencyKey: newIdempotencyKey() });
  if (handleSignedOut(response)) return;
  const data = response.body && response.body.ok ? response.body.data : null;
  const checkoutUrl = data && data.providerPayload && data.providerPayload.checkoutUrl;
  // Only a path on this site: the checkout is the portal's own page.
  if (response.status === 200 && typeof checkoutUrl === "string" && checkoutUrl.startsWith("/") && !checkoutUrl.startsWith("//")) {
    window.location.assign(checkoutUrl);
    return;
  }
  payNow.disabled = false;
  $("pay-status").textContent = "";
  showMessage(payError, errorText(response, "The payment could not be started"));
  const error = response.body && response.body.error;
  if (error && error.code === "booking_not_payable") await loadPayments(); // hides "Pay now"
  if (error && error.code === "nothing_outstanding") {
    await loadPayments(); // show the payments that cover the balance (and hide "Pay now" when nothing is left)
    const open = openSandboxPayments();
    if (open.length > 0) {
      continuePayment.href = open[open.length - 1].checkout_url;
      continuePayment.hidden = false;
    }
  }
}

async function load() {
  const response = await api("GET", `/api/customer/bookings/${encodeURIComponent(bookingId)}`);
  loading.hidden = true;
  if (handleSignedOut(response)) return;
  if (response.status === 404) {
    showMessage(bookingError, "Booking not found.");
    document.title = "Booking not found · Itinera";
    return;
  }
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage(bookingError, response.status === 403
      ? "This page is for customers."
      : errorText(response, "The booking could not be loaded"));
    return;
  }
  render(response.body.data);
  container.hidden = false;
  await loadPayments();
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const body = collect();
  saveButton.disabled = true;
  $("save-status").textContent = "Saving…";
  const response = await call("PUT", `/api/customer/bookings/${encodeURIComponent(bookingId)}/travelers-and-flights`, body);
  saveButton.disabled = false;
  $("save-status").textContent = "";
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    render(response.body.data);
    showMessage(saveDone, "Saved. Our team has been told about the changes.");
    return;
  }
  const error = response.body && response.body.error;
  const fields = error && error.details && error.details.fields;
  if (response.status === 400 && fields && typeof fields === "object") {
    const { first, unplaced } = showFieldErrors(fields);
    const count = Object.keys(fields).length;
    const summary = `Nothing was saved: ${count === 1 ? "one field needs" : `${count} fields need`} attention.`;
    showMessage(saveError, unplaced.length ? `${summary} ${unplaced.join("; ")}.` : summary);
    if (first) first.focus();
    return;
  }
  showMessage(saveError, errorText(response, "Nothing was saved"));
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!bookingId) {
    loading.hidden = true;
    showMessage(bookingError, "Booking not found.");
    return;
  }
  form.addEventListener("submit", save);
  $("add-traveler").addEventListener("click", () => addTraveler(null).querySelector("input").focus());
  $("add-flight").addEventListener("click", () => addFlight(null).querySelector("input").focus());
  payNow.addEventListener("click", pay);
  await load();
}

start();
