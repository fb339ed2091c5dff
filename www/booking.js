// One booking: its facts, items (edited through booking-items.js), assigned suppliers, travelers and
// the client's flights (travelers-form.js), ground services (booking-ground-services.js), details and
// notes (booking-details.js), payments, invoices, documents, timeline and changes, and buttons for exactly
// the statuses the lifecycle rules allow next (Paid excepted: it follows the money). The payments panel
// records money received outside the checkout, refunds captured payments and makes sandbox checkout
// links for the customer.
import { renderAssignments } from "/booking-assignments.js";
import { loadGroundServices } from "/booking-ground-services.js";
import { renderItems } from "/booking-items.js";
import { renderDetails } from "/booking-details.js";
import { allSuppliers } from "/directory.js";
import { pagedList } from "/paged-list.js";
import { api, call, requireSession } from "/session.js";
import { renderTravelersForm, setUpTravelersForm } from "/travelers-form.js";
import {
  PAYABLE_STATUSES, currencyDigits, dataTable, documentCell, el, errorText, formatMoney, handleSignedOut, isStaff,
  newIdempotencyKey, parseAmountToMinor, paymentBadge, showMessage, statusBadge, statusLabel, text, timeElement,
} from "/ui.js";

const bookingId = new URLSearchParams(window.location.search).get("id");

const $ = (id) => document.getElementById(id);
const loading = $("loading");
const bookingError = $("booking-error");
const container = $("booking");
const transitions = $("transitions");
const noTransitions = $("no-transitions");
const transitionForm = $("transition-form");
const transitionLabel = $("transition-label");
const transitionNote = $("transition-note");
const transitionConfirm = $("transition-confirm");
const transitionCancel = $("transition-cancel");
const actionError = $("action-error");
const actionDone = $("action-done");
const paymentsError = $("payments-error");
const paymentsDone = $("payments-done");
const paymentLink = $("payment-link");
const recordPayment = $("record-payment");
const offlineForm = $("offline-form");

let allowed = {};
let booking = null;
let target = null;
/** What the customer's payments still hold (captured less refunded), from the payments panel. */
let held = null;
/** What is still to be paid, from the payments panel (the offline form's ceiling). */
let outstanding = null;
/** The open offline form's key: a retry after a lost answer must not record the money twice. */
let offlineKey = null;

// Reached when the payments cover the total (a checkout, or money recorded here), never by a button.
const MONEY_FOLLOWS = ["payment_confirmed"];
const OFFLINE_METHODS = { bank_transfer: "bank transfer", cash: "cash", card_terminal: "card terminal", cheque: "cheque",
  other: "other means" };



function renderFacts(b) {
  document.title = `${b.booking_reference} · Itinera`;
  $("booking-ref").textContent = b.booking_reference;
  $("booking-status").replaceChildren(statusBadge(b.status));
  const customer = $("booking-customer");
  if (b.customer) {
    customer.replaceChildren(el("span", { className: "customer-name", text: b.customer.name }));
    if (b.customer.email) customer.append(el("div", { className: "muted customer-email", text: b.customer.email }));
  } else {
    customer.textContent = "—";
  }
  $("booking-total").textContent = formatMoney(b.total_minor, b.currency);
  $("booking-paid").textContent = formatMoney(b.paid_minor, b.currency);
  $("booking-departure").replaceChildren(timeElement(b.departure_at));
  $("booking-created").replaceChildren(timeElement(b.created_at));
  $("booking-lead-fact").hidden = !b.lead_id;
  if (b.lead_id) $("booking-lead").href = `/lead.html?id=${encodeURIComponent(b.lead_id)}`;
}

// The team's suppliers, loaded once: the names of assigned logins and the choices to assign.
let suppliers = null;

async function renderSections(b) {
  if (suppliers === null) {
    const loaded = await allSuppliers();
    if (loaded.ok) {
      suppliers = loaded.suppliers;
    } else if (!handleSignedOut(loaded.response)) {
      showMessage($("assignments-error"), errorText(loaded.response, "The suppliers could not be loaded"));
    }
  }
  renderItems($("items"), b,
    { suppliers: suppliers || [], reload: refresh, notice: $("items-done"), alert: $("items-error") });
  renderAssignments($("assignments"), b, suppliers || [],
    { reload: refresh, notice: $("assignments-done"), alert: $("assignments-error") });
  renderTravelersForm(b);
  $("invoices").replaceChildren(
    dataTable(
      "Invoices",
      [{ label: "Date" }, { label: "Status" }, { label: "Amount", num: true }],
      b.invoices.map((v) => [timeElement(v.created_at), statusLabel(v.status), formatMoney(v.amount_minor, v.currency)]),
      "No invoices yet.",
    ),
  );
  $("documents").replaceChildren(
    dataTable(
      "Documents",
      [{ label: "Date" }, { label: "Document" }, { label: "Kind" }, { label: "Status" }],
      b.documents.map((d) => [timeElement(d.created_at), documentCell(d), statusLabel(d.kind), statusLabel(d.status)]),
      "No documents yet.",
    ),
  );
}

/** Only a path on this site (the sandbox checkout is the portal's own page). */
function sitePath(value) {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : null;
}

/** Who took the money: the provider, or "Offline · bank transfer" for money recorded by staff. */
function paymentSource(p) {
  if (p.provider !== "manual") return text(p.provider);
  return `Offline · ${OFFLINE_METHODS[p.method] || text(p.method)}`;
}

function paymentNote(p) {
  if (p.provider === "manual") {
    return [p.reference ? `Ref. ${p.reference}` : "", p.received_on ? `received ${p.received_on}` : ""]
      .filter(Boolean).join(", ");
  }
  const checkout = p.status === "requires_action" ? sitePath(p.checkout_url) : null;
  if (checkout) return el("a", { href: checkout, className: "checkout-link", text: "Checkout page" });
  return text(p.failure_reason);
}

/** A refund form for one captured payment: amount in major units (sent as minor units) and a reason. */
function refundForm(p) {
  const digits = currencyDigits(p.currency);
  const refundable = p.captured_minor - p.refunded_minor;
  const base = `refund-${p.id}`;
  const amount = el("input", {
    id: `${base}-amount`, name: "amount", type: "text", inputmode: "decimal", autocomplete: "off", required: true,
    "data-field": "amount", "aria-describedby": `${base}-amount-hint ${base}-amount-error`,
  });
  const reason = el("input", { id: `${base}-reason`, name: "reason", type: "text", maxlength: 500, autocomplete: "off",
    "data-field": "reason" });
  const amountError = el("p", { id: `${base}-amount-error`, className: "field-error", hidden: true });
  const submit = el("button", { type: "submit", className: "danger refund-submit", text: "Refund" });
  const formError = el("p", { className: "notice notice-error refund-error", role: "alert", hidden: true });
  const form = el(
    "form",
    { className: "refund-form", novalidate: true, "data-payment-id": p.id,
      "aria-label": p.provider === "manual" ? "Record money given back from this offline payment"
        : `Refund this ${p.provider} payment` },
    el("div", { className: "field field-price" }, el("label", { for: amount.id, text: `Amount (${p.currency}) *` }), amount),
    el("div", { className: "field field-grow" }, el("label", { for: reason.id, text: "Reason (optional)" }), reason),
    submit,
    el("p", { id: `${base}-amount-hint`, className: "hint", text: `At most ${formatMoney(refundable, p.currency)} can be refunded.` }),
    amountError,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage(amountError, "");
    showMessage(formError, "");
    amount.removeAttribute("aria-invalid");
    showMessage(paymentsDone, "");
    showMessage(paymentsError, "");
    const parsed = parseAmountToMinor(amount.value, digits);
    if (!parsed.ok || parsed.minor <= 0) {
      showMessage(amountError, parsed.ok ? "Enter an amount above zero." : parsed.message);
      amount.setAttribute("aria-invalid", "true");
      amount.focus();
      return;
    }
    const body = { amountMinor: parsed.minor, idempotencyKey: newIdempotencyKey() };
    if (reason.value.trim()) body.reason = reason.value.trim();
    submit.disabled = true;
    const response = await call("POST", `/api/payments/${encodeURIComponent(p.id)}/refunds`, body);
    submit.disabled = false;
    if (handleSignedOut(response)) return;
    if ((response.status === 202 || response.status === 201) && response.body && response.body.ok) {
      await refresh(); // the booking's paid amount and status may have changed too
      showMessage(
        paymentsDone,
        response.status === 201
          ? `Refund of ${formatMoney(parsed.minor, p.currency)} recorded as given back.`
          : `Refund of ${formatMoney(parsed.minor, p.currency)} requested; the provider confirms it shortly.`,
      );
      return;
    }
    showMessage(formError, errorText(response, "Nothing was refunded"));
  });
  return el("div", {}, form, formError);
}

function renderRefunds(p) {
  const refundable = p.status === "succeeded" || p.status === "partially_refunded";
  if (!refundable && (p.refunds || []).length === 0) return null;
  return el(
    "div",
    { className: "payment-refunds", "data-payment-id": p.id },
    el("h3", {}, `Refunds of the ${p.provider === "manual" ? "offline" : text(p.provider)} payment of ${formatMoney(p.amount_minor, p.currency)}, `,
      timeElement(p.created_at)),
    dataTable(
      "Refunds",
      [{ label: "Date" }, { label: "Amount", num: true }, { label: "Reason" }, { label: "Status" }, { label: "Source" }],
      (p.refunds || []).map((r) => [timeElement(r.created_at), formatMoney(r.amount_minor, p.currency), text(r.reason),
        statusLabel(r.status), statusLabel(r.source)]),
      "No refunds yet.",
    ),
    refundable && p.captured_minor - p.refunded_minor > 0 ? refundForm(p) : null,
  );
}

function renderPayments(data) {
  const { booking: b } = data;
  const totals = (data.totals || []).find((t) => t.currency === b.currency) || {
    currency: b.currency, captured_minor: 0, refunded_minor: 0, outstanding_minor: b.total_minor,
  };
  $("payments-captured").textContent = formatMoney(totals.captured_minor, totals.currency);
  $("payments-refunded").textContent = formatMoney(totals.refunded_minor, totals.currency);
  $("payments-outstanding").textContent = formatMoney(totals.outstanding_minor, totals.currency);
  held = { minor: totals.captured_minor - totals.refunded_minor, currency: totals.currency };
  const list = data.payments || [];
  $("payments").replaceChildren(
    dataTable(
      "Payments",
      [{ label: "Date" }, { label: "Provider" }, { label: "Status" }, { label: "Amount", num: true },
        { label: "Captured", num: true }, { label: "Refunded", num: true }, { label: "Note" }],
      list.map((p) => [timeElement(p.created_at), paymentSource(p), paymentBadge(p.status),
        formatMoney(p.amount_minor, p.currency), formatMoney(p.captured_minor, p.currency),
        formatMoney(p.refunded_minor, p.currency), paymentNote(p)]),
      "No payments yet.",
    ),
  );
  $("payment-refunds").replaceChildren(...list.map(renderRefunds).filter(Boolean));
  const payable = totals.outstanding_minor - (totals.open_minor || 0);
  paymentLink.hidden = !(PAYABLE_STATUSES.includes(b.status) && payable > 0);
  outstanding = { minor: totals.outstanding_minor, currency: totals.currency };
  recordPayment.hidden = !(PAYABLE_STATUSES.includes(b.status) && totals.outstanding_minor > 0);
  if (recordPayment.hidden) closeOfflineForm();
}

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

function openOfflineForm() {
  if (!outstanding) return;
  const digits = currencyDigits(outstanding.currency);
  $("offline-currency").textContent = outstanding.currency;
  $("offline-amount").value = (outstanding.minor / 10 ** digits).toFixed(digits);
  $("offline-amount-hint").textContent = `${formatMoney(outstanding.minor, outstanding.currency)} is outstanding.`;
  $("offline-received").value = today();
  $("offline-received").max = today();
  for (const id of ["offline-amount-error", "offline-received-error", "offline-error"]) showMessage($(id), "");
  offlineForm.hidden = false;
  offlineKey = newIdempotencyKey();
  recordPayment.setAttribute("aria-expanded", "true");
  $("offline-amount").focus();
}

function closeOfflineForm(returnFocus = false) {
  offlineForm.hidden = true;
  $("offline-reference").value = "";
  recordPayment.setAttribute("aria-expanded", "false");
  if (returnFocus && !recordPayment.hidden) recordPayment.focus();
}

/** "Record payment": money received outside the checkout; the booking is paid once it is all there. */
async function submitOfflinePayment(event) {
  event.preventDefault();
  const amountInput = $("offline-amount");
  const receivedInput = $("offline-received");
  for (const id of ["offline-amount-error", "offline-received-error", "offline-error"]) showMessage($(id), "");
  amountInput.removeAttribute("aria-invalid");
  receivedInput.removeAttribute("aria-invalid");
  const parsed = parseAmountToMinor(amountInput.value, currencyDigits(outstanding.currency));
  let problem = null;
  if (!parsed.ok || parsed.minor <= 0) {
    showMessage($("offline-amount-error"), parsed.ok ? "Enter an amount above zero." : parsed.message);
    amountInput.setAttribute("aria-invalid", "true");
    problem = problem || amountInput;
  }
  if (!receivedInput.value || receivedInput.value > today()) {
    showMessage($("offline-received-error"), receivedInput.value ? "Cannot be in the future." : "Required.");
    receivedInput.setAttribute("aria-invalid", "true");
    problem = problem || receivedInput;
  }
  if (problem) {
    problem.focus();
    return;
  }
  const method = $("offline-method").value;
  const body = { amountMinor: parsed.minor, currency: outstanding.currency, method, receivedOn: receivedInput.value,
    idempotencyKey: offlineKey };
  const reference = $("offline-reference").value.trim();
  if (reference) body.reference = reference;
  $("offline-submit").disabled = true;
  const response = await call("POST", `/api/bookings/${encodeURIComponent(bookingId)}/payments/offline`, body);
  $("offline-submit").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 201 && response.body && response.body.ok) {
    const after = response.body.data.booking;
    closeOfflineForm();
    await refresh();
    const amount = formatMoney(parsed.minor, outstanding ? outstanding.currency : body.currency);
    showMessage(paymentsDone, after.status === "payment_confirmed"
      ? `Recorded ${amount} by ${OFFLINE_METHODS[method]}. The booking is paid.`
      : `Recorded ${amount} by ${OFFLINE_METHODS[method]}; ${formatMoney(after.outstanding_minor, body.currency)} is still outstanding.`);
    return;
  }
  showMessage($("offline-error"), errorText(response, "Nothing was recorded"));
  if (response.body && response.body.error && ["amount_exceeds_balance", "nothing_outstanding", "booking_not_payable"]
    .includes(response.body.error.code)) await loadPayments();
}

/** Loads the payments panel; a failure shows in the panel and leaves the rest of the page alone. */
async function loadPayments() {
  const response = await call("GET", `/api/bookings/${encodeURIComponent(bookingId)}/payments`);
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    renderPayments(response.body.data);
    return;
  }
  paymentLink.hidden = true;
  recordPayment.hidden = true;
  held = null;
  outstanding = null;
  showMessage(paymentsError, errorText(response, "The payments could not be loaded"));
}

/** "Payment link": a sandbox payment for the balance, and its checkout address to send the customer. */
async function createPaymentLink() {
  paymentLink.disabled = true;
  showMessage(paymentsError, "");
  showMessage(paymentsDone, "");
  $("payment-link-result").hidden = true;
  $("payment-link-status").textContent = "Creating the payment…";
  const response = await call("POST", "/api/payments/create-intent",
      { bookingId, provider: "sandbox", idempotencyKey: newIdempotencyKey() });
  paymentLink.disabled = false;
  $("payment-link-status").textContent = "";
  if (handleSignedOut(response)) return;
  const data = response.body && response.body.ok ? response.body.data : null;
  const checkout = sitePath(data && data.providerPayload && data.providerPayload.checkoutUrl);
  if (response.status === 200 && checkout) {
    const url = new URL(checkout, window.location.origin).href;
    const link = $("payment-link-url");
    link.href = url;
    link.textContent = url;
    $("payment-link-result").hidden = false;
    await refresh(); // the new payment is listed, and the booking is now payment_pending
    return;
  }
  showMessage(paymentsError, errorText(response, "No payment link was created"));
  if (response.body && response.body.error && ["nothing_outstanding", "booking_not_payable"].includes(response.body.error.code)) {
    await loadPayments();
  }
}

// The team role of a login that acts for itself in each actor type of an event.
const ACTOR_ROLES = { user: ["staff", "admin"], customer: ["customer"], supplier: ["supplier"] };
const ACTOR_SUFFIX = { customer: " (client)", supplier: " (supplier)" };

/**
 * Who made a lifecycle move: the person by name ("by Sam Staff", "by Cara Customer (client)"), or
 * what made it ("by webhook"), with the login that recorded it when that was someone else ("by
 * supplier · recorded by Sam Staff").
 */
function eventActor(e) {
  const name = e.recorded_by_name;
  if (name && (ACTOR_ROLES[e.actor_type] || []).includes(e.recorded_by_role)) {
    return `by ${name}${ACTOR_SUFFIX[e.actor_type] || ""}`;
  }
  return name ? `by ${text(e.actor_type)} · recorded by ${name}` : `by ${text(e.actor_type)}`;
}

function renderTimeline(events) {
  const items = events.map((e) => {
    const change = el("div", { className: "timeline-change" });
    if (e.from_status) change.append(statusBadge(e.from_status), el("span", { "aria-label": "to", text: " → " }));
    change.append(statusBadge(e.to_status));
    const li = el(
      "li",
      { "data-to-status": e.to_status },
      el("div", { className: "timeline-when" }, timeElement(e.created_at)),
      change,
      el("div", { className: "muted", text: eventActor(e) }),
    );
    if (e.note) li.append(el("p", { className: "timeline-note", text: e.note }));
    return li;
  });
  $("timeline").replaceChildren(...items);
}

/** One change of the booking's history: when, what (a sentence from the server), and who. */
function historyEntry(e) {
  return el(
    "li",
    { "data-action": e.action },
    el("div", { className: "timeline-when" }, timeElement(e.created_at)),
    el("div", { className: "history-summary", text: e.summary }),
    el("div", { className: "muted", text: e.actor_type === "system" && !e.actor_name ? "automatically"
      : `by ${text(e.actor_name || e.actor_type)}` }),
  );
}

const history = pagedList({
  path: `/api/bookings/${encodeURIComponent(bookingId || "")}/history`,
  ids: {
    table: "history", tbody: "history", empty: "history-empty", loadMore: "history-more", status: "history-status",
    error: "history-error",
  },
  row: historyEntry,
  describe: (shown, more) => (more ? `The latest ${shown} changes.` : ""),
  failure: "The history could not be loaded",
  pageSize: 20,
});

/** What to know before a move: unconfirmed items, or money a cancellation leaves with us. */
function transitionWarning(status) {
  if (status === "supplier_confirmed") return unconfirmedWarning(booking);
  if (!(held && held.minor > 0) || !["cancelled", "refunded"].includes(status)) return "";
  const amount = formatMoney(held.minor, held.currency);
  return status === "cancelled"
    ? `${amount} of the customer's payments is still held: cancelling does not refund it. Refund it under Payments.`
    : `${amount} of the customer's payments is still held: this move does not refund it. Refunding it in full under ` +
      "Payments marks the booking refunded by itself.";
}

/** Before `supplier_confirmed`: the items a supplier has not confirmed yet, if any. */
function unconfirmedWarning(b) {
  const open = (b.items || []).filter((i) => i.supplier_id && i.supplier_status !== "confirmed");
  if (open.length === 0) return "";
  const names = open.map((i) => `${i.description} (${statusLabel(i.supplier_status).toLowerCase()})`).join(", ");
  return `Not confirmed by their supplier yet: ${names}.`;
}

function closeTransitionForm(returnFocus = false) {
  const chosen = transitions.querySelector('button[aria-pressed="true"]');
  if (returnFocus && chosen) chosen.focus();
  target = null;
  transitionForm.hidden = true;
  transitionNote.value = "";
  for (const button of transitions.querySelectorAll("button")) button.setAttribute("aria-pressed", "false");
}

function openTransitionForm(status, button) {
  target = status;
  for (const other of transitions.querySelectorAll("button")) other.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  transitionLabel.textContent = `Note for the move to ${statusLabel(status)} (optional)`;
  showMessage($("transition-warning"), transitionWarning(status));
  transitionConfirm.textContent = `Move to ${statusLabel(status)}`;
  transitionConfirm.classList.toggle("danger-solid", status === "cancelled" || status === "refunded");
  transitionForm.hidden = false;
  showMessage(actionError, "");
  showMessage(actionDone, "");
  transitionNote.focus();
}

function renderTransitions(status) {
  const next = (allowed[status] || []).filter((to) => !MONEY_FOLLOWS.includes(to));
  transitions.replaceChildren(
    ...next.map((to) => {
      const button = el("button", {
        type: "button",
        className: `transition${to === "cancelled" || to === "refunded" ? " danger" : ""}`,
        "data-status": to,
        "aria-pressed": "false",
        text: statusLabel(to),
      });
      button.addEventListener("click", () => openTransitionForm(to, button));
      return button;
    }),
  );
  noTransitions.hidden = next.length !== 0;
  closeTransitionForm();
}

/** Loads the booking and its timeline; false when there is nothing to show. */
// Reloads counted: when two overlap (two panels saved at once), only the latest one is shown, so an
// older answer never puts an older version of the booking back on the page.
let reloads = 0;

async function refresh() {
  const mine = ++reloads;
  const [detail, events] = await Promise.all([
    api("GET", `/api/bookings/${encodeURIComponent(bookingId)}`),
    api("GET", `/api/bookings/${encodeURIComponent(bookingId)}/events`),
  ]);
  if (mine !== reloads) return true;
  loading.hidden = true;
  if (handleSignedOut(detail)) return false;
  if (detail.status === 404) {
    container.hidden = true;
    showMessage(bookingError, "Booking not found.");
    document.title = "Booking not found · Itinera";
    return false;
  }
  if (!(detail.status === 200 && detail.body && detail.body.ok)) {
    showMessage(bookingError, errorText(detail, "The booking could not be loaded"));
    return false;
  }
  booking = detail.body.data;
  renderFacts(booking);
  await renderDetails(booking, refresh);
  await renderSections(booking);
  await loadGroundServices(booking, suppliers || [], refresh);
  await loadPayments();
  renderTransitions(booking.status);
  if (events.status === 200 && events.body && events.body.ok) {
    renderTimeline(events.body.data.items);
  } else {
    // The detail carries the last ten events, newest first.
    renderTimeline([...(booking.last_events || [])].reverse());
  }
  showMessage(bookingError, "");
  container.hidden = false;
  await history.load(true);
  return true;
}

async function move(event) {
  event.preventDefault();
  if (!target) return;
  const to = target;
  const note = transitionNote.value.trim();
  const body = { bookingId, toStatus: to, idempotencyKey: newIdempotencyKey() };
  if (note) body.note = note;
  transitionConfirm.disabled = true;
  transitionCancel.disabled = true;
  showMessage(actionError, "");
  showMessage(actionDone, "");
  let response;
  try {
    response = await api("POST", "/api/core/booking-lifecycle", body);
  } catch (failure) {
    response = { status: 0, body: { error: { message: `the service is not reachable (${failure.message})` } } };
  } finally {
    transitionConfirm.disabled = false;
    transitionCancel.disabled = false;
  }
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    await refresh();
    showMessage(actionDone, `Moved to ${statusLabel(to)}.`);
    return;
  }
  if (response.status === 409 && response.body && response.body.error) {
    const details = response.body.error.details || {};
    const from = details.from ? ` It is now ${statusLabel(details.from)}.` : "";
    showMessage(actionError, `The booking cannot move to ${statusLabel(to)}.${from}`);
    await refresh(); // someone else moved it: show its current status and buttons
    return;
  }
  showMessage(actionError, errorText(response, `Moving to ${statusLabel(to)} failed`));
}

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!isStaff(me)) {
    loading.hidden = true;
    showMessage(bookingError, "This page is for staff and admins of the team.");
    return;
  }
  if (!bookingId) {
    loading.hidden = true;
    showMessage(bookingError, "Booking not found.");
    return;
  }
  setUpTravelersForm({
    path: `/api/bookings/${encodeURIComponent(bookingId)}/travelers-and-flights`,
    savedText: "Travelers and flights saved.",
    onSaved: refresh,
    closedToEdits: false,
  });
  transitionForm.addEventListener("submit", move);
  paymentLink.addEventListener("click", createPaymentLink);
  recordPayment.addEventListener("click", () => (offlineForm.hidden ? openOfflineForm() : closeOfflineForm(true)));
  offlineForm.addEventListener("submit", submitOfflinePayment);
  $("offline-cancel").addEventListener("click", () => closeOfflineForm(true));
  offlineForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeOfflineForm(true);
  });
  transitionCancel.addEventListener("click", () => closeTransitionForm(true));
  transitionForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeTransitionForm(true);
  });
  const rules = await api("GET", "/api/core/booking-lifecycle/rules");
  if (rules.status === 200 && rules.body && rules.body.ok) allowed = rules.body.data.allowed || {};
  else showMessage(actionError, "The lifecycle rules could not be loaded; status changes are unavailable.");
  await refresh();
}

start();
