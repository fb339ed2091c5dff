// The booking page's assigned suppliers: the supplier logins assigned to the booking (a
// photographer, a guide), with "Remove", and a form that assigns one of the team's suppliers that
// has a portal login. The supplier is told by the server (`supplier_assigned`).
import { call } from "/session.js";
import {
  CLOSED_STATUSES, dataTable, el, errorWithFields, handleSignedOut, newIdempotencyKey, showMessage, statusLabel, text,
  timeElement,
} from "/ui.js";

const ROLES = ["photographer", "guide", "driver", "operator", "other"];

/**
 * Renders the assignments of `booking` into `box`; `suppliers` are the team's suppliers (those with
 * a `user_id` can be assigned). `reload()` loads the booking again after a change; `notice` and
 * `alert` are the message lines.
 */
export function renderAssignments(box, booking, suppliers, { reload, notice, alert }) {
  const byUser = new Map(suppliers.filter((s) => s.user_id).map((s) => [s.user_id, s]));
  const path = `/api/bookings/${encodeURIComponent(booking.id)}/assignments`;
  const open = !CLOSED_STATUSES.includes(booking.status);

  async function send(method, url, body, headers, done, what) {
    showMessage(alert, "");
    showMessage(notice, "");
    for (const control of box.querySelectorAll("button, select")) control.disabled = true;
    const response = await call(method, url, body, headers);
    if (handleSignedOut(response)) return;
    if ([200, 201].includes(response.status)) {
      await reload();
      showMessage(notice, done);
      return;
    }
    for (const control of box.querySelectorAll("button, select")) control.disabled = false;
    showMessage(alert, errorWithFields(response, what));
  }

  const name = (a) => (byUser.get(a.user_id) || {}).name || "A supplier login";
  const rows = (booking.assignments || []).map((a) => {
    if (!open) return [text(name(a)), statusLabel(a.role), timeElement(a.created_at), ""];
    const remove = el("button", {
      type: "button", className: "secondary", text: "Remove", "data-unassign": a.id,
      "aria-label": `Remove ${name(a)} (${a.role}) from this booking`,
    });
    remove.addEventListener("click", () =>
      send("DELETE", `${path}/${encodeURIComponent(a.id)}`, undefined, {}, `Removed ${name(a)}.`,
        "The assignment was not removed"));
    return [text(name(a)), statusLabel(a.role), timeElement(a.created_at), remove];
  });
  const table = dataTable("Assigned suppliers",
    [{ label: "Supplier" }, { label: "Role" }, { label: "Since" }, { label: "" }], rows, "Nobody is assigned yet.");
  if (!open) return box.replaceChildren(table);

  const who = el("select", { id: "assign-user", "aria-label": "Supplier to assign" },
    el("option", { value: "", text: "Choose a supplier…" }),
    ...[...byUser.values()].map((s) => el("option", { value: s.user_id, text: `${s.name} (${statusLabel(s.kind).toLowerCase()})` })));
  const role = el("select", { id: "assign-role", "aria-label": "Their role" },
    ...ROLES.map((r) => el("option", { value: r, text: statusLabel(r) })));
  const assign = el("button", { type: "submit", id: "assign-submit", text: "Assign" });
  const form = el("form", { id: "assign-form", className: "inline-form", novalidate: true }, who, role, assign);
  // One key per intended assignment: a retry after a network failure does not assign twice.
  let pending = null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!who.value) {
      showMessage(notice, "");
      showMessage(alert, "Choose the supplier to assign.");
      who.focus();
      return;
    }
    const intent = `${who.value}|${role.value}`;
    if (!pending || pending.intent !== intent) pending = { intent, key: newIdempotencyKey() };
    const label = who.options[who.selectedIndex].textContent;
    send("POST", path, { userId: who.value, role: role.value }, { "Idempotency-Key": pending.key },
      `Assigned ${label} as ${role.value}; they have been told.`, "The supplier was not assigned");
  });
  const hint = byUser.size === 0
    ? el("p", { className: "hint", text: "No supplier of the team has a portal login to assign." })
    : null;
  box.replaceChildren(table, form, ...(hint ? [hint] : []));
}
