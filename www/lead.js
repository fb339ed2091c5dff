// One lead: its facts, its quotations with buttons for exactly the steps the API says each one
// takes now (`steps`: send a draft; approve or reject a sent one), a form for a new quotation, the
// bookings made from it with a button that opens one, and an edit form. Quotation steps and new
// bookings carry an idempotency key.
import { addCustomerOptions, allCustomers } from "/directory.js";
import { call, requireSession } from "/session.js";
import {
  currencyDigits, dataTable, el, errorText, errorWithFields, formatMoney, handleSignedOut, isCurrencyCode, isStaff, newIdempotencyKey,
  parseAmountToMinor, showMessage, statusBadge, text, timeElement,
} from "/ui.js";

const leadId = new URLSearchParams(window.location.search).get("id");
const $ = (id) => document.getElementById(id);

const STEP_LABELS = { send: "Send", approve: "Approve", reject: "Reject" };

let lead = null;
// Whether the customer picker holds the team's customers: only then does the edit form send one.
let customersLoaded = false;

function renderFacts() {
  const title = lead.customer_name ? `Lead: ${lead.customer_name}` : "Lead";
  $("lead-title").textContent = title;
  document.title = `${title} · Itinera`;
  $("lead-status").replaceChildren(statusBadge(lead.status));
  $("lead-customer").textContent = text(lead.customer_name);
  $("lead-source").textContent = text(lead.source);
  $("lead-created").replaceChildren(timeElement(lead.created_at));
  showMessage($("lead-notes"), lead.notes ? `Notes: ${lead.notes}` : "");
}

function stepButtons(quotation) {
  const amount = formatMoney(quotation.total_minor, quotation.currency);
  return el(
    "span",
    { className: "quotation-steps" },
    ...(quotation.steps || []).filter((action) => STEP_LABELS[action]).map((action) =>
      el("button", {
        type: "button", className: action === "reject" ? "secondary" : null, "data-action": action,
        "data-quotation": quotation.id, text: STEP_LABELS[action],
        "aria-label": `${STEP_LABELS[action]} the quotation of ${amount}`,
      }),
    ),
  );
}

function renderQuotations() {
  $("quotations").replaceChildren(
    dataTable(
      "Quotations, oldest first",
      [{ label: "Created" }, { label: "Total", num: true }, { label: "Valid until" }, { label: "Status" },
        { label: "Steps" }],
      lead.quotations.map((q) => [
        timeElement(q.created_at), formatMoney(q.total_minor, q.currency), text(q.valid_until), statusBadge(q.status),
        stepButtons(q),
      ]),
      "No quotations yet.",
    ),
  );
}

function renderBookings() {
  $("bookings").replaceChildren(
    dataTable(
      "Bookings made from this lead",
      [{ label: "Reference" }, { label: "Status" }, { label: "Currency" }],
      lead.bookings.map((b) => [
        el("a", { href: `/booking.html?id=${encodeURIComponent(b.id)}`, text: b.booking_reference }),
        statusBadge(b.status), text(b.currency),
      ]),
      "No bookings made from this lead yet.",
    ),
  );
  const noCustomer = !lead.customer_id;
  $("booking-submit").disabled = noCustomer;
  $("booking-hint").hidden = !noCustomer;
  $("quotation-submit").disabled = noCustomer;
  $("quotation-hint").hidden = !noCustomer;
  // A new quotation is in the bookings' currency unless staff change it.
  if (lead.bookings.length > 0 && !$("quotation-currency").dataset.touched) {
    $("quotation-currency").value = lead.bookings[0].currency;
  }
}

function fillEditForm() {
  const picker = $("edit-customer");
  if (!customersLoaded && lead.customer_id && !picker.querySelector(`option[value="${CSS.escape(lead.customer_id)}"]`)) {
    picker.append(el("option", { value: lead.customer_id, text: text(lead.customer_name) })); // shown, never sent
  }
  picker.value = lead.customer_id || "";
  $("edit-status").value = lead.status;
  $("edit-source").value = lead.source || "";
  $("edit-notes").value = lead.notes || "";
}

function show(next) {
  lead = next;
  renderFacts();
  renderQuotations();
  renderBookings();
  fillEditForm();
}

async function refresh() {
  const response = await call("GET", `/api/leads/${encodeURIComponent(leadId)}`);
  if (handleSignedOut(response)) return false;
  $("loading").hidden = true;
  if (response.status === 404) {
    showMessage($("lead-error"), "Lead not found.");
    return false;
  }
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage($("lead-error"), errorText(response, "The lead could not be loaded"));
    return false;
  }
  show(response.body.data);
  $("lead").hidden = false;
  return true;
}

async function step(button) {
  const { action, quotation } = button.dataset;
  showMessage($("quotation-error"), "");
  showMessage($("quotation-done"), "");
  for (const b of document.querySelectorAll(".quotation-steps button")) b.disabled = true;
  const response = await call("POST", `/api/quotations/${encodeURIComponent(quotation)}/${action}`, undefined, {
    "Idempotency-Key": newIdempotencyKey(),
  });
  if (handleSignedOut(response)) return;
  if (!(await refresh())) {
    for (const b of document.querySelectorAll(".quotation-steps button")) b.disabled = false;
  }
  if (response.status === 200 && response.body && response.body.ok) {
    showMessage($("quotation-done"), `Quotation ${response.body.data.status}.`);
  } else {
    showMessage($("quotation-error"), errorText(response, `The quotation could not be marked ${action}`));
  }
}

async function addQuotation(event) {
  event.preventDefault();
  showMessage($("quotation-error"), "");
  showMessage($("quotation-done"), "");
  const currency = $("quotation-currency").value.trim().toUpperCase();
  if (!isCurrencyCode(currency)) {
    showMessage($("quotation-error"), "Enter a currency code such as EUR.");
    return;
  }
  const amount = parseAmountToMinor($("quotation-amount").value, currencyDigits(currency));
  if (!amount.ok) {
    showMessage($("quotation-error"), `Total: ${amount.message}`);
    return;
  }
  const body = { leadId, currency, totalMinor: amount.minor };
  if ($("quotation-valid").value) body.validUntil = $("quotation-valid").value;
  if (lead.customer_id) body.customerId = lead.customer_id;
  $("quotation-submit").disabled = true;
  const response = await call("POST", "/api/quotations", body);
  $("quotation-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 201 && response.body && response.body.ok) {
    $("new-quotation").reset();
    delete $("quotation-currency").dataset.touched;
    await refresh();
    showMessage($("quotation-done"), "Quotation added as a draft.");
    return;
  }
  showMessage($("quotation-error"), errorWithFields(response, "The quotation was not added"));
}

async function openBooking(event) {
  event.preventDefault();
  showMessage($("booking-error"), "");
  const currency = $("booking-currency").value.trim().toUpperCase();
  if (!isCurrencyCode(currency)) {
    showMessage($("booking-error"), "Enter a currency code such as EUR.");
    return;
  }
  $("booking-submit").disabled = true;
  const body = { customerId: lead.customer_id, currency, leadId, items: [], travelers: [] };
  const response = await call("POST", "/api/bookings", body, { "Idempotency-Key": newIdempotencyKey() });
  $("booking-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 201 && response.body && response.body.ok) {
    window.location.assign(`/booking.html?id=${encodeURIComponent(response.body.data.id)}`);
    return;
  }
  showMessage($("booking-error"), errorWithFields(response, "The booking was not opened"));
}

async function saveLead(event) {
  event.preventDefault();
  showMessage($("edit-error"), "");
  showMessage($("edit-done"), "");
  const wanted = {
    status: $("edit-status").value,
    source: $("edit-source").value.trim() || null,
    notes: $("edit-notes").value.trim() || null,
  };
  const current = { customerId: lead.customer_id, status: lead.status, source: lead.source, notes: lead.notes };
  if (customersLoaded) wanted.customerId = $("edit-customer").value || null;
  const body = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== (current[key] ?? null)));
  if (Object.keys(body).length === 0) {
    showMessage($("edit-done"), "Nothing changed.");
    return;
  }
  $("edit-submit").disabled = true;
  const response = await call("PATCH", `/api/leads/${encodeURIComponent(leadId)}`, body);
  $("edit-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    show(response.body.data);
    showMessage($("edit-done"), "Saved.");
    return;
  }
  showMessage($("edit-error"), errorWithFields(response, "The lead was not saved"));
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    $("loading").hidden = true;
    showMessage($("lead-error"), "This page is for staff and admins of the team.");
    return;
  }
  if (!leadId) {
    $("loading").hidden = true;
    showMessage($("lead-error"), "Lead not found.");
    return;
  }
  const loaded = await allCustomers();
  if (loaded.ok) {
    addCustomerOptions($("edit-customer"), loaded.customers);
    customersLoaded = true;
  } else {
    if (handleSignedOut(loaded.response)) return;
    $("edit-customer").disabled = true;
    showMessage($("edit-error"), errorText(loaded.response, "The customers could not be loaded; the customer stays as it is"));
  }
  $("quotations").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) step(button);
  });
  $("quotation-currency").addEventListener("input", () => {
    $("quotation-currency").dataset.touched = "1";
  });
  $("new-quotation").addEventListener("submit", addQuotation);
  $("new-booking").addEventListener("submit", openBooking);
  $("edit-lead").addEventListener("submit", saveLead);
  await refresh();
}

start();
