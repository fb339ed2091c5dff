// The sandbox checkout: one payment (?payment=<id>), its booking and amount, and "Pay" / "Decline".
// A choice makes the payment `processing`; the server's worker then delivers the signed webhook
// that settles it, so the page polls the payment until it is succeeded or failed.
// Every text from the server goes in with textContent (through `el`), never innerHTML.
import { api, call, requireSession } from "/session.js";
import { errorText, formatMoney, handleSignedOut, isStaff, paymentBadge, showMessage, text } from "/ui.js";

const POLL_MS = 500;
const POLL_LIMIT_MS = 20000;

const paymentId = new URLSearchParams(window.location.search).get("payment");

const $ = (id) => document.getElementById(id);
const loading = $("loading");
const checkoutError = $("checkout-error");
const container = $("checkout");
const payButton = $("checkout-pay");
const declineButton = $("checkout-decline");
const progress = $("checkout-progress");
const result = $("checkout-result");

let me = null;
let busy = false;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function paymentPath() {
  return `/api/payments/${encodeURIComponent(paymentId)}`;
}

/** The booking's page for the signed-in role: the client portal's for customers, the staff page otherwise. */
function bookingHref(bookingId) {
  const page = isStaff(me) ? "/booking.html" : "/my-booking.html";
  return `${page}?id=${encodeURIComponent(bookingId)}`;
}

function setButtons(open) {
  payButton.disabled = !open || busy;
  declineButton.disabled = !open || busy;
}

function showResult(payment) {
  const amount = formatMoney(payment.amount_minor, payment.currency);
  result.classList.remove("notice-ok", "notice-error");
  if (payment.status === "succeeded" || payment.status === "partially_refunded" || payment.status === "refunded") {
    result.classList.add("notice-ok");
    showMessage(result, `Payment succeeded: ${amount} paid for ${text(payment.booking_reference)}.`);
  } else if (payment.status === "failed") {
    result.classList.add("notice-error");
    showMessage(result, `Payment declined: ${payment.failure_reason || "the payment did not go through."}`);
  } else if (payment.status === "cancelled") {
    result.classList.add("notice-error");
    showMessage(result, "This payment was cancelled.");
  } else {
    showMessage(result, "");
  }
}

function render(payment) {
  document.title = `Checkout ${text(payment.booking_reference)} · Itinera`;
  $("checkout-booking").textContent = text(payment.booking_reference);
  $("checkout-amount").textContent = formatMoney(payment.amount_minor, payment.currency);
  $("checkout-status").replaceChildren(paymentBadge(payment.status));
  const link = $("checkout-back-link");
  link.href = bookingHref(payment.booking_id);
  link.textContent = `Back to booking ${text(payment.booking_reference)}`;
  $("checkout-back").hidden = false;
  setButtons(payment.status === "requires_action");
  showResult(payment);
}

/** The payment, or null after showing why it could not be read. */
async function fetchPayment() {
  const response = await call("GET", paymentPath());
  if (handleSignedOut(response)) return null;
  if (response.status === 200 && response.body && response.body.ok) return response.body.data;
  if (response.status === 403 || response.status === 404) {
    showMessage(checkoutError, "Payment not found.");
    document.title = "Payment not found · Itinera";
  } else {
    showMessage(checkoutError, errorText(response, "The payment could not be loaded"));
  }
  return null;
}

/** Polls until the payment leaves `processing` (or the time is up); shows each status it sees. */
async function waitForOutcome() {
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    let response;
    try {
      response = await api("GET", paymentPath());
    } catch {
      continue; // a dropped request: try again on the next tick
    }
    if (handleSignedOut(response)) return null;
    if (!(response.status === 200 && response.body && response.body.ok)) continue;
    const payment = response.body.data;
    $("checkout-status").replaceChildren(paymentBadge(payment.status));
    if (payment.status !== "processing" && payment.status !== "requires_action") return payment;
  }
  return null;
}

async function complete(outcome) {
  if (busy) return;
  busy = true;
  setButtons(false);
  showMessage(checkoutError, "");
  showMessage(result, "");
  progress.textContent = "Processing…";
  const response = await call("POST", `${paymentPath()}/sandbox/complete`, { outcome });
  if (handleSignedOut(response)) return;
  if (!(response.status === 202 && response.body && response.body.ok)) {
    busy = false;
    progress.textContent = "";
    showMessage(checkoutError, errorText(response, "The payment could not be completed"));
    // The payment may have moved on (paid in another tab, say): show where it is now.
    const payment = await fetchPayment();
    if (payment) render(payment);
    else setButtons(false);
    return;
  }
  $("checkout-status").replaceChildren(paymentBadge(response.body.data.payment.status));
  const settled = await waitForOutcome();
  busy = false;
  progress.textContent = "";
  if (!settled) {
    showMessage(checkoutError, "The payment is still processing. Reload this page in a moment to see its result.");
    return;
  }
  render(settled);
  result.focus();
}

async function start() {
  me = await requireSession();
  if (!me) return;
  if (!paymentId) {
    loading.hidden = true;
    showMessage(checkoutError, "Payment not found.");
    return;
  }
  result.tabIndex = -1;
  payButton.addEventListener("click", () => complete("succeeded"));
  declineButton.addEventListener("click", () => complete("failed"));
  const payment = await fetchPayment();
  loading.hidden = true;
  if (!payment) return;
  render(payment);
  container.hidden = false;
  // Opened while the webhook is still on its way: wait for the outcome like after a click.
  if (payment.status === "processing") {
    busy = true;
    progress.textContent = "Processing…";
    const settled = await waitForOutcome();
    busy = false;
    progress.textContent = "";
    if (settled) render(settled);
    else showMessage(checkoutError, "The payment is still processing. Reload this page in a moment to see its result.");
  }
}

start();
