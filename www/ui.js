// Small helpers shared by the staff pages: building elements, money, dates, status badges, errors.
// Every text from the server goes in with textContent (through `el`), never innerHTML.

/**
 * Creates an element. `props`: className, text, and any other key set as an attribute
 * (`hidden: true` sets a boolean attribute; false/null/undefined values are skipped).
 */
export function el(tag, props = {}, ...children) {
  return build(document.createElement(tag), props, children);
}

/** el() for SVG: the charts the dashboard draws. */
export function svgEl(tag, props = {}, ...children) {
  return build(document.createElementNS("http://www.w3.org/2000/svg", tag), props, children);
}

function build(node, props, children) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.setAttribute("class", value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ISO-4217's minor-unit digits, the same table the server formats its messages with
// (CurrencyCodes.minorDigits): browsers' own data (CLDR) differs for a few currencies, and one
// amount must mean the same minor units on both sides.
const ZERO_DIGITS = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
  "XAF", "XOF", "XPF"]);
const THREE_DIGITS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/** The number of minor-unit digits of an ISO-4217 currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency) {
  if (ZERO_DIGITS.has(currency)) return 0;
  return THREE_DIGITS.has(currency) ? 3 : 2;
}

/** Whether `code` looks like an ISO-4217 code the browser can format. */
export function isCurrencyCode(code) {
  if (typeof code !== "string" || !/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: code });
    return true;
  } catch {
    return false;
  }
}

/** Minor units (number, BigInt or digit string) as an exact decimal string: 125050, 2 → "1250.50". */
export function minorToDecimalString(minor, digits) {
  let value = BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  let text = value.toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, "0");
    text = text.slice(0, -digits) + "." + text.slice(-digits);
  }
  return (negative ? "-" : "") + text;
}

/** Formats integer minor units in the user's locale, exactly (the decimal string is never a float). */
export function formatMoney(minor, currency) {
  if (minor === null || minor === undefined || !currency) return "—";
  try {
    const digits = currencyDigits(currency);
    const format = new Intl.NumberFormat(undefined, {
      style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
    });
    // Intl.NumberFormat formats decimal strings exactly; older engines convert them to a number.
    return format.format(minorToDecimalString(minor, digits));
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/**
 * Parses a typed amount ("1250", "1250.5", "1250.50", "1250,50") into integer minor units with
 * string arithmetic. Returns {ok: true, minor} or {ok: false, message}.
 */
export function parseAmountToMinor(text, digits) {
  const value = String(text ?? "").trim();
  if (value === "") return { ok: false, message: "Enter an amount." };
  const match = /^(\d*)(?:[.,](\d*))?$/.exec(value);
  if (!match || (match[1] === "" && !match[2])) {
    return { ok: false, message: `Enter an amount such as ${digits > 0 ? "1250." + "0".repeat(digits) : "1250"}.` };
  }
  const whole = match[1] || "0";
  const fraction = match[2] || "";
  if (fraction.length > digits) {
    return {
      ok: false,
      message: digits === 0 ? "This currency has no decimals." : `At most ${digits} decimal${digits === 1 ? "" : "s"}.`,
    };
  }
  const minor = BigInt(whole + fraction.padEnd(digits, "0"));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: "The amount is too large." };
  return { ok: true, minor: Number(minor) };
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function parseDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A <time> element for an ISO timestamp ("—" when absent). */
export function timeElement(iso, withTime = true) {
  const date = parseDate(iso);
  if (!date) return document.createTextNode("—");
  return el("time", { datetime: iso, text: (withTime ? dateTimeFormat : dateFormat).format(date) });
}

/** What people call the booking statuses; the API's codes stay in `data-status`. */
const STATUS_LABELS = {
  lead_created: "Lead",
  quotation_sent: "Quotation sent",
  quotation_approved: "Quotation approved",
  booking_created: "Booked",
  payment_pending: "Awaiting payment",
  payment_confirmed: "Paid",
  supplier_confirmed: "Confirmed by suppliers",
  documents_generated: "Documents ready",
  completed: "Completed",
  cancelled: "Cancelled",
  refunded: "Refunded",
};

/** A status code as words: a booking's by its name above, any other ("in_progress") spelt out. */
export function statusLabel(status) {
  if (!status) return "Unknown";
  if (STATUS_LABELS[status]) return STATUS_LABELS[status];
  const words = String(status).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A badge for a booking status; the class `badge-<status>` picks its colour. */
export function statusBadge(status, label = statusLabel(status)) {
  const safe = /^[a-z_]+$/.test(status || "") ? status : "unknown";
  return el("span", { className: `badge badge-${safe}`, "data-status": status || "", text: label });
}

/**
 * A booking's status as its suppliers see it, [the status it reads as, its words]: whether the
 * customer has paid (or was refunded) is not theirs to know, so until they confirm it is "Booked".
 */
const SUPPLIER_STATUSES = {
  booking_created: ["booking_created", "Booked"],
  payment_pending: ["booking_created", "Booked"],
  payment_confirmed: ["booking_created", "Booked"],
  supplier_confirmed: ["supplier_confirmed", "Confirmed"],
  documents_generated: ["supplier_confirmed", "Confirmed"],
  completed: ["completed", "Completed"],
  cancelled: ["cancelled", "Cancelled"],
  refunded: ["cancelled", "Cancelled"],
};

/** A booking status in the supplier portal's words. */
export function supplierStatusLabel(status) {
  return SUPPLIER_STATUSES[status] ? SUPPLIER_STATUSES[status][1] : statusLabel(status);
}

/** statusBadge for the supplier portal: its colour and `data-status` say no more than its words. */
export function supplierStatusBadge(status) {
  const [shown, label] = SUPPLIER_STATUSES[status] || [status, statusLabel(status)];
  return statusBadge(shown, label);
}

/** What to call a document: its label or file name, else its kind in words. */
export function documentName(d) {
  return d.label || d.filename || (d.kind === "delivered_work" ? "Delivered work" : statusLabel(d.kind));
}

/** A document's name, as a download link when it has a file (delivered work). */
export function documentCell(d) {
  const name = documentName(d);
  if (d.kind === "delivered_work" && d.id) {
    return el("a", {
      className: "download",
      href: `/api/documents/${encodeURIComponent(d.id)}/download`,
      download: true, // the server names the file (Content-Disposition), with the extension of what it is
      "data-document-id": d.id,
      text: `Download ${name}`,
    });
  }
  return document.createTextNode(name);
}

/**
 * A booking's ground services as the client and suppliers see them: when, what, where; with
 * `marked`, a column saying which are the signed-in supplier's own.
 */
export function groundServicesTable(services, marked = false) {
  const columns = [{ label: "When" }, { label: "Service" }, { label: "Where" }];
  if (marked) columns.push({ label: "Yours" });
  return dataTable("Ground services", columns,
    (services || []).map((g) => {
      const cells = [timeElement(g.starts_at), `${statusLabel(g.kind)}: ${g.description}`, text(g.location)];
      if (marked) cells.push(g.yours ? "Yours" : "—");
      return cells;
    }),
    "Nothing planned on the ground yet.");
}

/** A random UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A sentence for a failed API answer. */
export function errorText(response, what) {
  const { status, body } = response;
  if (status === 403) return "This page is for staff and admins of the team.";
  // A 503 that says what is missing (a payment provider not set up) is not cured by waiting.
  const code = body && body.error && body.error.code;
  if ((status === 502 || status === 503) && code !== "provider_not_configured") {
    return "The service is not available right now. Try again in a moment.";
  }
  const message = body && body.error && body.error.message ? body.error.message : `HTTP ${status}`;
  return what ? `${what}: ${message}` : message;
}

/** errorText followed by each field error the API named ("validUntil must not be in the past."). */
export function errorWithFields(response, what) {
  const error = response.body && response.body.error;
  const fields = error && error.details && typeof error.details.fields === "object" ? error.details.fields : null;
  if (!fields) return errorText(response, what);
  return `${errorText(response, what)} ${Object.entries(fields).map(([field, rule]) => `${field} ${rule}.`).join(" ")}`;
}

/** Sends the browser to the login page when the session ended; true when it did. */
export function handleSignedOut(response) {
  if (response.status !== 401) return false;
  const here = window.location.pathname + window.location.search;
  window.location.assign("/login.html?next=" + encodeURIComponent(here));
  return true;
}

/** Shows (or with an empty text hides) a message element. */
export function showMessage(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

/**
 * Asks once more in place before something that cannot be undone: `container`'s children give way
 * to `question`, a `verb` button and Keep (then `extra` nodes, e.g. a line for a refusal). Keep or
 * Escape puts the children back and focuses `opener`; the verb button runs `onConfirm(confirm, keep)`.
 */
export function askInPlace(container, opener, { question, verb, onConfirm, extra = [] }) {
  const saved = [...container.childNodes];
  const keep = el("button", { type: "button", className: "secondary", text: "Keep" });
  const confirm = el("button", { type: "button", className: "danger-solid", text: verb });
  const escape = (event) => {
    if (event.key === "Escape" && container.contains(keep)) keepIt();
  };
  const keepIt = () => {
    container.removeEventListener("keydown", escape);
    container.replaceChildren(...saved);
    opener.focus();
  };
  keep.addEventListener("click", keepIt);
  container.addEventListener("keydown", escape);
  confirm.addEventListener("click", () => onConfirm(confirm, keep));
  container.replaceChildren(el("span", { text: question }), confirm, keep, ...extra);
  confirm.focus();
}

/**
 * Focuses `target` when a save left the focus nowhere: a button disabled while its request runs,
 * or a row built again, drops it to the page. A focus the user has moved meanwhile stays.
 */
export function refocus(target) {
  const active = document.activeElement;
  if (target && target.isConnected && (!active || active === document.body)) target.focus();
}

/**
 * The focus after "Load more" (whose disabling while it loaded dropped it): the first control among
 * the `added` rows, else the first of those rows itself; none added, the button while it is shown.
 */
export function focusAfterMore(added, button) {
  const control = added.map((r) => r.querySelector("a, button, input, select, summary")).find(Boolean);
  if (control) return control.focus();
  if (added.length > 0) {
    added[0].setAttribute("tabindex", "-1");
    return added[0].focus();
  }
  if (!button.hidden) button.focus();
}

/** Whether the signed-in role may use the staff pages. */
export function isStaff(me) {
  return Boolean(me) && (me.role === "staff" || me.role === "admin");
}

/** A value for a table cell or fact: "—" when absent. */
export function text(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

/** A table with a header row, or an empty-state line when there are no rows. Cells are nodes or text. */
export function dataTable(caption, columns, rows, emptyText) {
  if (rows.length === 0) return el("p", { className: "empty", text: emptyText });
  const head = el("tr", {}, ...columns.map((c) => el("th", { scope: "col", className: c.num ? "num" : null, text: c.label })));
  const body = rows.map((cells) =>
    el("tr", {}, ...cells.map((cell, i) => el("td", { className: columns[i].num ? "num" : null }, cell ?? "—"))),
  );
  return el(
    "div",
    { className: "table-scroll" },
    el("table", { className: "data-table" }, el("caption", { className: "visually-hidden", text: caption }),
      el("thead", {}, head), el("tbody", {}, ...body)),
  );
}

// Payment statuses in words; the class `badge-payment-<status>` picks the colour.
const PAYMENT_STATUS_LABELS = {
  requires_action: "Awaiting payment",
  processing: "Processing",
  succeeded: "Paid",
  failed: "Failed",
  cancelled: "Cancelled",
  partially_refunded: "Partly refunded",
  refunded: "Refunded",
};

/** A badge for a payment status, in words; `data-status` keeps the API's status. */
export function paymentBadge(status) {
  const safe = /^[a-z_]+$/.test(status || "") ? status : "unknown";
  return el("span", {
    className: `badge badge-payment-${safe}`,
    "data-status": status || "",
    text: PAYMENT_STATUS_LABELS[safe] || status || "unknown",
  });
}

/** Booking item kinds as [API value, label]. */
export const ITEM_KINDS = [
  ["flight", "Flight"],
  ["hotel", "Hotel"],
  ["activity", "Activity"],
  ["ground_service", "Ground service"],
  ["other", "Other"],
];

/** An ISO timestamp as a datetime-local value in the browser's time zone ("" when absent). */
export function isoToLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The time a datetime-local input holds (the browser's zone) as an ISO instant, "" when empty, null when invalid. */
export function localInputToISO(value) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Booking statuses that take payments (the API refuses intents in any other). */
export const PAYABLE_STATUSES = ["booking_created", "payment_pending"];

/** Closed booking statuses: their items, answers, travelers and assignments stay as they are. */
export const CLOSED_STATUSES = ["completed", "cancelled", "refunded"];
