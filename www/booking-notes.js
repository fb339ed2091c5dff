// The booking page's notes: the ones the client reads in their portal and the ones for the team only,
// saved together with the booking's version (a 412 when someone saved in between keeps what was typed).
import { call } from "/session.js";
import { errorWithFields, handleSignedOut, showMessage } from "/ui.js";

const $ = (id) => document.getElementById(id);
const FIELDS = [["notes-client", "notes", "notes", "The notes for the client"],
  ["notes-team", "internalNotes", "internal_notes", "The notes for the team"]];

/** What was last shown of each field: typing that differs from it is kept when the booking reloads. */
let shown = {};
let booking = null;
let reload = async () => {};

/** Shows `b`'s notes (keeping a field being edited); `onReload()` loads the booking again. */
export function renderNotes(b, onReload) {
  booking = b;
  reload = onReload;
  for (const [id, , column] of FIELDS) {
    const input = $(id);
    const value = b[column] || "";
    if (input.value === (shown[id] ?? "")) input.value = value;
    shown[id] = value;
  }
}

async function save(event) {
  event.preventDefault();
  const body = {};
  for (const [id, field, column] of FIELDS) {
    const value = $(id).value.trim();
    if (value !== (booking[column] || "")) body[field] = value || null;
  }
  showMessage($("notes-error"), "");
  showMessage($("notes-done"), "");
  if (Object.keys(body).length === 0) {
    showMessage($("notes-done"), "Nothing to save: the notes are as they were.");
    return;
  }
  $("notes-save").disabled = true;
  const response = await call("PATCH", `/api/bookings/${encodeURIComponent(booking.id)}`, body,
    { "If-Match": String(booking.version) });
  $("notes-save").disabled = false;
  if (handleSignedOut(response)) return;
  if (response.status === 200) {
    shown = {};
    for (const [id] of FIELDS) $(id).value = "";
    await reload();
    showMessage($("notes-done"), "Notes saved.");
    return;
  }
  if (response.status === 412) {
    const before = booking;
    await reload();
    // What the other person saved in a field typed here too, so both can be weighed before saving.
    const theirs = FIELDS.filter(([, field, column]) => field in body && (before[column] || "") !== (booking[column] || ""))
      .map(([, , column, label]) => (booking[column] ? ` ${label} now read: “${booking[column]}”.` : ` ${label} were cleared.`))
      .join("");
    showMessage($("notes-error"),
      `Someone changed this booking meanwhile.${theirs} What you typed is still here: check it and save again.`);
    return;
  }
  showMessage($("notes-error"), errorWithFields(response, "The notes were not saved"));
}

$("notes-form").addEventListener("submit", save);
