// The supplier portal: the bookings assigned to the signed-in supplier, newest first, page by page.
import { pagedList } from "/paged-list.js";
import { requireSession } from "/session.js";
import { el, showMessage, supplierStatusBadge, timeElement } from "/ui.js";

const list = pagedList({
  path: "/api/supplier/bookings",
  ids: { table: "assignments-table", tbody: "assignments-body" },
  row: (b) =>
    el(
      "tr",
      { "data-id": b.id },
      el("td", { className: "reference" },
        el("a", { href: "/assignment.html?id=" + encodeURIComponent(b.id), text: b.booking_reference })),
      el("td", {}, supplierStatusBadge(b.status)),
      el("td", {}, timeElement(b.departure_at)),
    ),
  describe: (shown, more) => (more ? `The newest ${shown} assignments.` : ""),
  failure: "Your assignments could not be loaded",
  refused: (response) => {
    if (response.status !== 403) return false;
    showMessage(document.getElementById("page-error"), "This page is for suppliers.");
    return true;
  },
});

async function start() {
  const me = await requireSession();
  if (!me) return;
  await list.load(true);
}

start();
