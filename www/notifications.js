// All notifications: newest first, an "Unread only" filter (kept in the address as ?unread=1),
// "Load more" with the API's cursor, and per-item mark read/unread and delete.
import { api, requireSession } from "/session.js";
import { notificationHref, relativeTime } from "/bell.js";
import { el, errorText, focusAfterMore, handleSignedOut, showMessage } from "/ui.js";

const PAGE_SIZE = 20;

const list = document.getElementById("notification-list");
const unreadOnly = document.getElementById("unread-only");
const controls = document.getElementById("controls");
const markAll = document.getElementById("mark-all");
const loadMore = document.getElementById("load-more");
const empty = document.getElementById("empty");
const listStatus = document.getElementById("list-status");
const listError = document.getElementById("list-error");
const pageError = document.getElementById("page-error");

let me = null;
let cursor = null;
let generation = 0;
const shownById = new Map(); // id (string) → the notification object a row shows

function tellBell(unread) {
  if (typeof unread === "number") document.dispatchEvent(new CustomEvent("itinera:unread", { detail: unread }));
}

function updateEmpty() {
  empty.textContent = unreadOnly.checked ? "No unread notifications." : "No notifications.";
  empty.hidden = list.children.length > 0 || !loadMore.hidden;
}

function setRead(item, notification) {
  const unread = !notification.read_at;
  item.classList.toggle("unread", unread);
  item.querySelector(".unread-label").hidden = !unread;
  const toggle = item.querySelector(".toggle-read");
  toggle.textContent = unread ? "Mark read" : "Mark unread";
  toggle.setAttribute("aria-label", `${unread ? "Mark read" : "Mark unread"}: ${notification.title}`);
}

function row(notification) {
  const item = el("li", { className: "notification", "data-id": notification.id });
  shownById.set(String(notification.id), notification);
  const link = el("a", { className: "notification-title", href: notificationHref(notification, me.role), text: notification.title });
  link.addEventListener("click", async (event) => {
    if (notification.read_at || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    const r = await api("PATCH", `/api/notifications/${encodeURIComponent(notification.id)}/read`);
    if (r.status === 200 && r.body && r.body.ok) tellBell(r.body.data.unread);
    window.location.assign(link.getAttribute("href"));
  });
  const when = el("time", { className: "muted", text: relativeTime(notification.created_at) });
  if (notification.created_at) {
    when.dateTime = notification.created_at;
    when.title = new Date(notification.created_at).toLocaleString();
  }
  const head = el("div", { className: "notification-head" },
    el("span", { className: "unread-label", text: "Unread" }), link, when);
  const body = el("div", { className: "notification-body" }, head);
  if (notification.message) body.append(el("p", { className: "notification-message", text: notification.message }));

  const toggle = el("button", { type: "button", className: "secondary toggle-read" });
  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    const which = notification.read_at ? "unread" : "read";
    const r = await api("PATCH", `/api/notifications/${encodeURIComponent(notification.id)}/${which}`);
    toggle.disabled = false;
    if (handleSignedOut(r)) return;
    if (r.status !== 200 || !r.body || !r.body.ok) {
      showMessage(listError, errorText(r, "Could not change the notification"));
      return;
    }
    showMessage(listError, "");
    notification.read_at = r.body.data.notification ? r.body.data.notification.read_at : null;
    setRead(item, notification);
    tellBell(r.body.data.unread);
    if (unreadOnly.checked && notification.read_at) item.remove();
    listStatus.textContent = which === "read" ? "Marked read." : "Marked unread.";
    updateEmpty();
  });
  const remove = el("button", { type: "button", className: "danger delete", text: "Delete", "aria-label": `Delete: ${notification.title}` });
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    const r = await api("DELETE", `/api/notifications/${encodeURIComponent(notification.id)}`);
    if (handleSignedOut(r)) return;
    if (r.status !== 200 || !r.body || !r.body.ok) {
      remove.disabled = false;
      showMessage(listError, errorText(r, "Could not delete the notification"));
      return;
    }
    showMessage(listError, "");
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    tellBell(r.body.data.unread);
    listStatus.textContent = "Notification deleted.";
    updateEmpty();
    const focusTarget = next ? next.querySelector("a") : unreadOnly;
    if (focusTarget) focusTarget.focus();
  });
  item.append(body, el("div", { className: "notification-actions" }, toggle, remove));
  setRead(item, notification);
  return item;
}

async function load(reset) {
  const mine = reset ? ++generation : generation;
  if (reset) {
    cursor = null;
    list.replaceChildren();
    loadMore.hidden = true;
  }
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), unread: unreadOnly.checked ? "true" : "false" });
  if (cursor) params.set("before", String(cursor));
  listStatus.textContent = "Loading…";
  const fromButton = document.activeElement === loadMore;
  loadMore.disabled = true;
  const r = await api("GET", "/api/notifications?" + params);
  if (mine !== generation) return;
  loadMore.disabled = false;
  if (handleSignedOut(r)) return;
  if (r.status !== 200 || !r.body || !r.body.ok) {
    if (fromButton) loadMore.focus();
    listStatus.textContent = "";
    showMessage(listError, errorText(r, "Could not load the notifications"));
    return;
  }
  showMessage(listError, "");
  const { items, nextCursor } = r.body.data;
  const known = new Set(Array.from(list.children, (li) => li.dataset.id));
  const added = items.filter((n) => !known.has(String(n.id))).map(row);
  list.append(...added);
  cursor = nextCursor;
  loadMore.hidden = !nextCursor;
  if (fromButton) focusAfterMore(added, loadMore);
  const shown = list.children.length;
  listStatus.textContent = `${shown} notification${shown === 1 ? "" : "s"} shown${nextCursor ? ", more available" : ""}.`;
  updateEmpty();
}

// Live events from the bell's stream keep this list current.
document.addEventListener("itinera:notifications", ({ detail }) => {
  const { type, data } = detail;
  if (type === "notification" && data.notification && !list.querySelector(`li[data-id="${CSS.escape(String(data.notification.id))}"]`)) {
    if (!unreadOnly.checked || !data.notification.read_at) list.prepend(row(data.notification));
  } else if (type === "notification-update") {
    for (const item of list.children) {
      if (data.id !== null && data.id !== undefined && item.dataset.id !== String(data.id)) continue;
      const n = shownById.get(item.dataset.id);
      if (!n) continue;
      n.read_at = data.id === null || data.id === undefined ? n.read_at || data.read_at : data.read_at;
      setRead(item, n);
    }
  } else if (type === "notification-delete") {
    const item = list.querySelector(`li[data-id="${CSS.escape(String(data.id))}"]`);
    if (item) item.remove();
  } else if (type === "resync") {
    load(true);
    return;
  }
  updateEmpty();
});

unreadOnly.addEventListener("change", () => {
  history.replaceState(null, "", window.location.pathname + (unreadOnly.checked ? "?unread=1" : ""));
  load(true);
});
loadMore.addEventListener("click", () => load(false));
markAll.addEventListener("click", async () => {
  markAll.disabled = true;
  const r = await api("POST", "/api/notifications/read-all");
  markAll.disabled = false;
  if (handleSignedOut(r)) return;
  if (r.status !== 200 || !r.body || !r.body.ok) {
    showMessage(pageError, errorText(r, "Could not mark all read"));
    return;
  }
  tellBell(r.body.data.unread);
  listStatus.textContent = "All notifications marked read.";
  load(true);
});

me = await requireSession();
if (me) {
  unreadOnly.checked = new URLSearchParams(window.location.search).get("unread") === "1";
  controls.hidden = false;
  markAll.hidden = false;
  load(true);
}
