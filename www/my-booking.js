// The client portal's booking page: a summary, the items (read-only), the travelers and the
// client's own flights (editable, saved together), the payments with a "Pay now" that opens the
// checkout, and the documents with download links.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { api, call, requireSession } from "/session.js";
import { renderTravelersForm, setUpTravelersForm } from "/travelers-form.js";
import {
  PAYABLE_STATUSES, dataTable, documentCell, el, errorText, formatMoney, groundServicesTable, handleSignedOut,
  newIdempotencyKey, paymentBadge, showMessage, statusBadge, statusLabel, text, timeElement,
} from "/ui.js";

const bookingId = new URLSearchParams(window.location.search).get("id");

const $ = (id) => document.getElementById(id);
const loading = $("loading");
const bookingError = $("booking-error");
const container = $("booking");
const payNow = $("pay-now");
const continuePayment = $("continue-payment");
const payError = $("pay-error");

let payments = null; // the last GET …/payments answer's data

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
  $("services").replaceChildren(groundServicesTable(b.ground_services));
  $("items").replaceChildren(
    dataTable(
      "Items",
      [{ label: "Kind" }, { label: "Description" }, { label: "Starts" }, { label: "Quantity", num: true },
        { label: "Line total", num: true }, { label: "Confirmation" }],
      (b.items || []).map((i) => [statusLabel(i.kind), text(i.description), timeElement(i.starts_at), text(i.quantity),
        formatMoney(i.total_minor, b.currency), confirmationText(i)]),
      "No items yet: our team adds them with the quotation.",
    ),
  );
  renderTravelersForm(b);
  $("documents").replaceChildren(
    dataTable(
      "Documents",
      [{ label: "Document" }, { label: "Kind" }, { label: "Status" }, { label: "Date" }],
      (b.documents || []).map((d) => [documentCell(d), statusLabel(d.kind), statusLabel(d.status), timeElement(d.created_at)]),
      "No documents yet.",
    ),
  );
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

async function start() {
  const me = await requireSession();
  if (!me) return;
  if (!bookingId) {
    loading.hidden = true;
    showMessage(bookingError, "Booking not found.");
    return;
  }
  setUpTravelersForm({
    path: `/api/customer/bookings/${encodeURIComponent(bookingId)}/travelers-and-flights`,
    savedText: "Saved. Our team has been told about the changes.",
    onSaved: render,
    closedToEdits: true,
  });
  payNow.addEventListener("click", pay);
  await load();
}

start();
