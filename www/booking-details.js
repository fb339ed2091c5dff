// The booking page's details: the departure, the trip it belongs to (one of its customer's), the
// notes the client reads in their portal and the ones for the team only, saved together with the
// booking's version. A 412 (someone saved in between) keeps what was typed and says what they saved
// in the same fields.
import { call } from "/session.js";
import { el, errorWithFields, handleSignedOut, isoToLocalInput, localInputToISO, refocus, showMessage } from "/ui.js";

const $ = (id) => document.getElementById(id);

const asText = (b, column) => b[column] || "";
const trimmedOrNull = (value) => value.trim() || null;

/**
 * Each field: its input, the PATCH field, the booking's column, how to name it (and its news after a
 * conflict), the input's value for a booking, the body's value for an input value (undefined: not a
 * valid value), and the booking's value in words.
 */
const FIELDS = [
  {
    id: "details-departure", field: "departureAt", column: "departure_at", label: "The departure",
    now: "The departure is now", cleared: "The departure was cleared",
    shown: (b) => isoToLocalInput(b.departure_at),
    sent: (value) => (value ? localInputToISO(value) ?? undefined : null),
    said: (b) => (b.departure_at ? new Date(b.departure_at).toLocaleString() : ""),
  },
  {
    id: "details-trip", field: "tripId", column: "trip_id", label: "The trip",
    now: "The trip is now", cleared: "The trip was taken off",
    shown: (b) => asText(b, "trip_id"), sent: (value) => value || null,
    said: (b) => tripName(b.trip_id),
  },
  {
    id: "notes-client", field: "notes", column: "notes", label: "The notes for the client",
    now: "The notes for the client now read", cleared: "The notes for the client were cleared",
    shown: (b) => asText(b, "notes"), sent: trimmedOrNull, said: (b) => asText(b, "notes"),
  },
  {
    id: "notes-team", field: "internalNotes", column: "internal_notes", label: "The notes for the team",
    now: "The notes for the team now read", cleared: "The notes for the team were cleared",
    shown: (b) => asText(b, "internal_notes"), sent: trimmedOrNull, said: (b) => asText(b, "internal_notes"),
  },
];

/** What was last shown of each field: a value that differs from it is being edited, and kept. */
let shown = {};
let booking = null;
let reload = async () => {};
let tripsOf = null;

/** The name the trip select gives trip `id` ("" for none). */
function tripName(id) {
  if (!id) return "";
  const option = [...$("details-trip").options].find((o) => o.value === id);
  return option ? option.textContent : "another trip";
}

/**
 * The customer's trips as the trip select's options ("No trip" first): once per customer, and again
 * when the booking names a trip made since.
 */
async function loadTrips(b) {
  const known = !b.trip_id || [...$("details-trip").options].some((o) => o.value === b.trip_id);
  if (tripsOf === b.customer_id && known) return;
  tripsOf = b.customer_id;
  const select = $("details-trip");
  const options = [el("option", { value: "", text: "No trip" })];
  if (b.customer_id) {
    const response = await call("GET", `/api/trips?limit=200&customerId=${encodeURIComponent(b.customer_id)}`);
    if (handleSignedOut(response)) return;
    const trips = response.status === 200 && response.body && response.body.ok ? response.body.data.items : [];
    options.push(...trips.map((t) => el("option", { value: t.id, text: t.name })));
  }
  // Rebuilding the options resets the choice: the one on screen (perhaps just picked) stays.
  const chosen = select.value;
  select.replaceChildren(...options);
  if (chosen && ![...select.options].some((o) => o.value === chosen)) {
    select.append(el("option", { value: chosen, text: "Another customer's trip" }));
  }
  select.value = chosen;
}

/** Shows `b`'s details (keeping a field being edited); `onReload()` loads the booking again. */
export async function renderDetails(b, onReload) {
  booking = b;
  reload = onReload;
  await loadTrips(b);
  const trip = $("details-trip");
  if (b.trip_id && ![...trip.options].some((o) => o.value === b.trip_id)) {
    trip.append(el("option", { value: b.trip_id, text: "Another customer's trip" }));
  }
  // A field being edited keeps what was typed; when a colleague saved that field meanwhile, the
  // panel says what they saved, so the next save does not overwrite it unseen.
  const theirs = [];
  for (const f of FIELDS) {
    const input = $(f.id);
    const value = f.shown(b);
    if (input.value === (shown[f.id] ?? "")) input.value = value;
    else if (f.id in shown && value !== shown[f.id]) theirs.push(f);
    shown[f.id] = value;
  }
  if (theirs.length) showMessage($("notes-error"), conflictText(theirs));
}

/** "Someone changed this booking meanwhile. The notes for the team now read: “…”. What you typed …" */
function conflictText(fields) {
  const news = fields.map((f) => (f.said(booking) ? ` ${f.now}: “${f.said(booking)}”.` : ` ${f.cleared}.`)).join("");
  return `Someone changed this booking meanwhile.${news} What you typed is still here: check it and save again.`;
}

async function save(event) {
  event.preventDefault();
  showMessage($("notes-error"), "");
  showMessage($("notes-done"), "");
  const body = {};
  for (const f of FIELDS) {
    const input = $(f.id);
    input.removeAttribute("aria-invalid");
    if (input.value.trim() === f.shown(booking).trim()) continue;
    const value = f.sent(input.value);
    if (value === undefined) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      showMessage($("notes-error"), `${f.label} is not a valid date and time.`);
      return;
    }
    body[f.field] = value;
  }
  if (Object.keys(body).length === 0) {
    showMessage($("notes-done"), "Nothing to save: the details are as they were.");
    return;
  }
  $("notes-save").disabled = true;
  const response = await call("PATCH", `/api/bookings/${encodeURIComponent(booking.id)}`, body,
    { "If-Match": String(booking.version) });
  $("notes-save").disabled = false;
  refocus($("notes-save"));
  if (handleSignedOut(response)) return;
  if (response.status === 200) {
    shown = {};
    for (const f of FIELDS) $(f.id).value = "";
    await reload();
    showMessage($("notes-done"), "Details saved.");
    return;
  }
  if (response.status === 412) {
    const before = booking;
    await reload();
    // What the other person saved in a field changed here too, so both can be weighed before saving.
    showMessage($("notes-error"), conflictText(FIELDS.filter((f) => f.field in body && f.shown(before) !== f.shown(booking))));
    return;
  }
  showMessage($("notes-error"), errorWithFields(response, "The details were not saved"));
}

$("notes-form").addEventListener("submit", save);
