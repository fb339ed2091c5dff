// The supplier portal: the bookings assigned to the signed-in supplier.
import { api, requireSession } from "/session.js";
import { el, errorText, handleSignedOut, showMessage, statusBadge, timeElement } from "/ui.js";

const $ = (id) => document.getElementById(id);

async function start() {
  const me = await requireSession();
  if (!me) return;
  const response = await api("GET", "/api/supplier/bookings");
  if (handleSignedOut(response)) return;
  showMessage($("list-status"), "");
  if (!(response.status === 200 && response.body && response.body.ok)) {
    showMessage($("page-error"), response.status === 403
      ? "This page is for suppliers."
      : errorText(response, "Your assignments could not be loaded"));
    return;
  }
  const items = response.body.data.items || [];
  $("assignments-body").replaceChildren(
    ...items.map((b) =>
      el(
        "tr",
        { "data-id": b.id },
        el("td", { className: "reference" },
          el("a", { href: "/assignment.html?id=" + encodeURIComponent(b.id), text: b.booking_reference })),
        el("td", {}, statusBadge(b.status)),
        el("td", {}, timeElement(b.departure_at)),
      ),
    ),
  );
  $("assignments-table").hidden = items.length === 0;
  $("empty").hidden = items.length !== 0;
}

start();
