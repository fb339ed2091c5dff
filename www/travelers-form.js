// The travelers and client flights form of a booking page (the client portal's and staff's): one
// fieldset per traveler and per flight, saved together with PUT …/travelers-and-flights and the
// booking's version, so a save that crossed someone else's (the client and staff both replace the
// lists) is refused rather than overwriting it. The page's elements are found by their ids:
// details-form, travelers, flights, add-traveler, add-flight, no-travelers, no-flights, save,
// save-status, save-error, save-done, details-closed.
import { call } from "/session.js";
import { CLOSED_STATUSES, el, errorText, handleSignedOut, isoToLocalInput, refocus, showMessage, statusLabel } from "/ui.js";

const $ = (id) => document.getElementById(id);
const form = $("details-form");
const travelersBox = $("travelers");
const flightsBox = $("flights");
const saveButton = $("save");
const saveError = $("save-error");
const saveDone = $("save-done");

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
  return spec.type === "datetime-local" ? isoToLocalInput(value) : String(value);
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

/** Puts each `travelers[0].passportNumber`-style error next to its input; returns the first input marked, in the form's order. */
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
    if (!first || input.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) first = input;
  }
  return { first, unplaced };
}

let settings = null;
/** The version of the booking the form shows: the save's If-Match. */
let version = null;
/** Whether the form holds changes not saved yet: the page reloading the booking keeps them. */
let edited = false;

/**
 * Fills the form from booking `b` (travelers, client_flights), unless it holds unsaved changes;
 * closed bookings are shown disabled.
 */
export function renderTravelersForm(b) {
  const closed = settings.closedToEdits && CLOSED_STATUSES.includes(b.status);
  if (!edited || closed) fill(b);
  // Another change of the booking (its notes, an item) leaves the lists as the form had them: the
  // edits in progress still apply to them, so they are saved against the new version.
  else if (listsOf(b) === filledFrom) version = b.version;
  // A closed booking's travelers and flights stay as they are for the client (the server refuses
  // their changes too); staff may still correct them.
  showMessage($("details-closed"), closed
    ? `This booking is ${statusLabel(b.status).toLowerCase()}: its travelers and flights can no longer be changed.`
    : "");
  for (const control of form.querySelectorAll("input, select, textarea, button")) control.disabled = closed;
}

/** The booking's travelers and client flights as one text, to tell whether they changed. */
function listsOf(b) {
  return JSON.stringify([b.travelers || [], b.client_flights || []]);
}

/** The lists the form was last filled from (listsOf). */
let filledFrom = null;

function fill(b) {
  version = b.version;
  edited = false;
  filledFrom = listsOf(b);
  travelersBox.replaceChildren();
  flightsBox.replaceChildren();
  for (const t of b.travelers || []) addTraveler(t);
  for (const f of b.client_flights || []) addFlight(f);
  renumber(travelersBox, "Traveler");
  renumber(flightsBox, "Flight");
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const body = collect();
  const sent = JSON.stringify(body);
  saveButton.disabled = true;
  $("save-status").textContent = "Saving…";
  const response = await call("PUT", settings.path, body, version === null ? {} : { "If-Match": String(version) });
  saveButton.disabled = false;
  refocus(saveButton);
  $("save-status").textContent = "";
  if (handleSignedOut(response)) return;
  if (response.status === 200 && response.body && response.body.ok) {
    // Typing while the save was under way is kept: the form shows the saved lists only if it still
    // holds what was sent.
    edited = JSON.stringify(collect()) !== sent;
    await settings.onSaved(response.body.data);
    showMessage(saveDone, settings.savedText);
    return;
  }
  const error = response.body && response.body.error;
  if (response.status === 412) {
    // Saving again replaces the lists with the form's: the choice is the user's, told plainly.
    version = error && error.details ? error.details.currentVersion : null;
    showMessage(saveError, "This booking changed while you were editing. Reload the page to see its travelers and " +
      "flights as they are now (what you typed here is then lost), or save again to replace them with yours.");
    return;
  }
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

/**
 * Wires the form: `path` is the PUT address, `savedText` the line after a save, `onSaved(booking)`
 * shows the booking the save answered, `closedToEdits` whether a closed booking's lists are frozen.
 */
export function setUpTravelersForm(options) {
  settings = options;
  form.addEventListener("submit", save);
  form.addEventListener("input", () => { edited = true; });
  form.addEventListener("click", (event) => {
    if (event.target.closest("button.remove, #add-traveler, #add-flight")) edited = true;
  });
  $("add-traveler").addEventListener("click", () => addTraveler(null).querySelector("input").focus());
  $("add-flight").addEventListener("click", () => addFlight(null).querySelector("input").focus());
}
