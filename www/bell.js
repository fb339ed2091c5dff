// The notification bell in the shared header: unread badge, a dropdown of the latest ten, and live
// updates through Server-Sent Events (falling back to polling the unread count when the stream fails).
// Every text from the server goes in with textContent, never innerHTML.

const DROPDOWN_SIZE = 10;
const POLL_MS = 30000;
const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 5 * 60000;
const ERRORS_BEFORE_FALLBACK = 3;

/**
 * Where a notification leads: a booking's page for the role (staff booking page, the client portal's
 * booking page, the supplier's assignment page), the notifications page otherwise.
 */
export function notificationHref(notification, role) {
  const path = notification && typeof notification.link_path === "string" ? notification.link_path : "";
  const booking = /^\/booking\/([0-9A-Fa-f-]{36})$/.exec(path);
  if (booking && (role === "staff" || role === "admin")) {
    return "/booking.html?id=" + encodeURIComponent(booking[1]);
  }
  if (booking && role === "customer") return "/my-booking.html?id=" + encodeURIComponent(booking[1]);
  if (booking && role === "supplier") return "/assignment.html?id=" + encodeURIComponent(booking[1]);
  return "/notifications.html";
}

/** "just now", "2 min ago", "3 h ago", "4 days ago", then a date. */
export function relativeTime(iso, now = Date.now()) {
  const time = iso ? new Date(iso).getTime() : NaN;
  if (Number.isNaN(time)) return "";
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 7) return days === 1 ? "yesterday" : `${days} days ago`;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(time));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function bellIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** The seconds part of an nchan event id ("1700000000:0" or "1700000000:[0,1]"), or null. */
function eventSeconds(id) {
  const match = /^(\d{9,})[:.]/.exec(id || "");
  return match ? Number(match[1]) : null;
}

/**
 * Adds the bell to `header` (before `before`, if given) for the signed-in `me`; `api` is session.js's api().
 * Other scripts may dispatch `itinera:unread` (detail: a number) on document after changing read state,
 * and may listen for `itinera:notifications` (detail: {type, data}) to follow live events.
 */
export function mountBell(header, me, api, before) {
  const role = me.role;
  const state = { unread: 0, items: null, open: false, loading: false, loadedAt: 0 };

  const wrap = el("div", "bell");
  const button = el("button", "bell-button");
  button.type = "button";
  button.id = "bell-button";
  button.setAttribute("aria-haspopup", "true");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "bell-panel");
  const badge = el("span", "bell-badge", "0");
  badge.setAttribute("aria-hidden", "true");
  badge.hidden = true;
  button.append(bellIcon(), badge);

  const live = el("span", "visually-hidden");
  live.id = "bell-live";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");

  const panel = el("div", "bell-panel");
  panel.id = "bell-panel";
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", "Latest notifications");
  panel.hidden = true;
  const head = el("div", "bell-head");
  head.append(el("strong", "bell-title", "Notifications"));
  const markAll = el("button", "bell-mark-all", "Mark all read");
  markAll.type = "button";
  head.append(markAll);
  const list = el("ul", "bell-list");
  const status = el("p", "bell-status");
  const foot = el("div", "bell-foot");
  const seeAll = el("a", "bell-see-all", "See all notifications");
  seeAll.href = "/notifications.html";
  foot.append(seeAll);
  panel.append(head, status, list, foot);

  wrap.append(button, panel, live);
  if (before && before.parentNode === header) header.insertBefore(wrap, before);
  else header.append(wrap);

  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    live.textContent = "";
    window.setTimeout(() => {
      live.textContent = text;
    }, 50);
  }

  function setUnread(value, message) {
    const n = Math.max(0, Number.isFinite(value) ? Math.trunc(value) : 0);
    const changed = n !== state.unread;
    state.unread = n;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    wrap.dataset.unread = String(n);
    button.setAttribute("aria-label", n === 0 ? "Notifications, none unread" : `Notifications, ${n} unread`);
    markAll.disabled = n === 0;
    if (message) announce(message);
    else if (changed && state.announceChanges) announce(n === 0 ? "No unread notifications." : `${n} unread notifications.`);
  }

  async function refreshCount() {
    try {
      const { status: code, body } = await api("GET", "/api/notifications/unread-count");
      if (code === 200 && body && body.ok) setUnread(body.data.unread);
    } catch {
      // Offline: the next poll or event brings the count.
    }
  }

  function renderItems() {
    list.replaceChildren();
    const items = state.items || [];
    if (state.items === null) {
      status.textContent = state.loading ? "Loading…" : "";
    } else if (items.length === 0) {
      status.textContent = "No notifications yet.";
    } else {
      status.textContent = "";
    }
    status.hidden = status.textContent === "";
    const now = Date.now();
    for (const n of items.slice(0, DROPDOWN_SIZE)) {
      const item = el("li", "bell-item");
      item.dataset.id = String(n.id);
      if (!n.read_at) item.classList.add("unread");
      const link = el("a", "bell-link");
      link.href = notificationHref(n, role);
      const marker = el("span", "bell-dot");
      marker.setAttribute("aria-hidden", "true");
      const text = el("span", "bell-text");
      const title = el("span", "bell-item-title", n.title);
      text.append(title);
      if (!n.read_at) text.append(el("span", "visually-hidden", "Unread."));
      if (n.message) text.append(el("span", "bell-item-message", n.message));
      const when = el("time", "bell-item-time", relativeTime(n.created_at, now));
      if (n.created_at) when.dateTime = n.created_at;
      text.append(when);
      link.append(marker, text);
      link.addEventListener("click", (event) => openItem(event, n, link.href));
      item.append(link);
      list.append(item);
    }
  }

  async function loadItems() {
    state.loading = true;
    if (state.items === null) renderItems();
    try {
      const { status: code, body } = await api("GET", `/api/notifications?limit=${DROPDOWN_SIZE}`);
      if (code === 200 && body && body.ok) {
        state.items = body.data.items || [];
        state.loadedAt = Date.now();
      } else if (state.items === null) {
        status.textContent = "The notifications could not be loaded.";
      }
    } catch {
      if (state.items === null) status.textContent = "The notifications could not be loaded.";
    }
    state.loading = false;
    if (state.items !== null) renderItems();
    else status.hidden = false;
  }

  async function openItem(event, n, href) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (!n.read_at) {
      try {
        const { status: code, body } = await api("PATCH", `/api/notifications/${encodeURIComponent(n.id)}/read`);
        if (code === 200 && body && body.ok) {
          n.read_at = body.data.notification ? body.data.notification.read_at : new Date().toISOString();
          if (typeof body.data.unread === "number") setUnread(body.data.unread);
        }
      } catch {
        // Navigate anyway; the item stays unread.
      }
    }
    const target = new URL(href, window.location.href);
    if (target.pathname + target.search === window.location.pathname + window.location.search) {
      // The notification is about this very page: show it as it is now.
      window.location.reload();
    } else {
      window.location.assign(target.pathname + target.search);
    }
  }

  function open() {
    state.open = true;
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    wrap.classList.add("open");
    renderItems();
    loadItems();
  }

  function close(focusButton) {
    if (!state.open) return;
    state.open = false;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    wrap.classList.remove("open");
    if (focusButton) button.focus();
  }

  button.addEventListener("click", () => (state.open ? close(false) : open()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.open) {
      event.preventDefault();
      close(true);
    }
  });
  document.addEventListener("click", (event) => {
    if (state.open && !wrap.contains(event.target)) close(false);
  });
  wrap.addEventListener("focusout", (event) => {
    if (state.open && event.relatedTarget && !wrap.contains(event.relatedTarget)) close(false);
  });

  markAll.addEventListener("click", async () => {
    markAll.disabled = true;
    try {
      const { status: code, body } = await api("POST", "/api/notifications/read-all");
      if (code === 200 && body && body.ok) {
        const now = new Date().toISOString();
        for (const n of state.items || []) if (!n.read_at) n.read_at = now;
        setUnread(body.data.unread ?? 0, "All notifications marked read.");
        renderItems();
        return;
      }
    } catch {
      // fall through
    }
    markAll.disabled = state.unread === 0;
    announce("The notifications could not be marked read.");
  });

  // Other pages (the notifications page) report counts they got from the API.
  document.addEventListener("itinera:unread", (event) => {
    if (typeof event.detail === "number") setUnread(event.detail);
    state.items = null; // reload the dropdown on next open
    if (state.open) loadItems();
  });

  // Relative times in the open dropdown stay fresh.
  window.setInterval(() => {
    if (state.open) renderItems();
  }, 60000);

  // ---- Live updates ------------------------------------------------------------------------

  let source = null;
  let pollTimer = null;
  let retryTimer = null;
  let retryDelay = RETRY_FIRST_MS;
  let errorsInARow = 0;
  let countTimer = null;
  const seenEvents = new Set();
  let startedAt = 0; // seconds; older stream events are covered by the count fetched at start

  function refreshCountSoon() {
    window.clearTimeout(countTimer);
    countTimer = window.setTimeout(refreshCount, 250);
  }

  function emit(type, data) {
    document.dispatchEvent(new CustomEvent("itinera:notifications", { detail: { type, data } }));
  }

  function fresh(event) {
    if (event.lastEventId) {
      if (seenEvents.has(event.lastEventId)) return false;
      seenEvents.add(event.lastEventId);
      const seconds = eventSeconds(event.lastEventId);
      if (seconds !== null && seconds < startedAt) return false;
    }
    return true;
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch {
      return null;
    }
  }

  // Ids of notifications already counted: a publish the worker retries may deliver one twice.
  const seen = new Set();

  function onNotification(event) {
    if (!fresh(event)) return;
    const data = parse(event);
    if (!data || !data.notification) return;
    const n = data.notification;
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (seen.size > 500) seen.delete(seen.values().next().value);
    if (state.items && !state.items.some((m) => m.id === n.id)) {
      state.items.unshift(n);
      state.items.length = Math.min(state.items.length, DROPDOWN_SIZE);
      if (state.open) renderItems();
    }
    const next = typeof data.unread === "number" ? data.unread : state.unread + (n.read_at ? 0 : 1);
    setUnread(next, `New notification: ${n.title}. ${next} unread.`);
    if (typeof data.unread !== "number") refreshCountSoon();
    emit("notification", data);
  }

  function onUpdate(event) {
    if (!fresh(event)) return;
    const data = parse(event);
    if (!data) return;
    for (const n of state.items || []) {
      if (data.id === null || data.id === undefined || n.id === data.id) {
        n.read_at = data.id === null || data.id === undefined ? (n.read_at || data.read_at) : data.read_at;
      }
    }
    if (typeof data.unread === "number") setUnread(data.unread);
    if (state.open) renderItems();
    emit("notification-update", data);
  }

  function onDelete(event) {
    if (!fresh(event)) return;
    const data = parse(event);
    if (!data) return;
    if (state.items) state.items = state.items.filter((n) => n.id !== data.id);
    if (typeof data.unread === "number") setUnread(data.unread);
    if (state.open) renderItems();
    emit("notification-delete", data);
  }

  function startPolling() {
    if (pollTimer === null) pollTimer = window.setInterval(refreshCount, POLL_MS);
    wrap.dataset.live = "polling";
  }

  function stopPolling() {
    window.clearInterval(pollTimer);
    pollTimer = null;
  }

  function fallBack() {
    if (source) {
      source.close();
      source = null;
    }
    startPolling();
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function connect() {
    retryTimer = null;
    if (typeof window.EventSource !== "function") {
      startPolling();
      return;
    }
    errorsInARow = 0;
    try {
      source = new EventSource("/api/notifications/stream");
    } catch {
      fallBack();
      return;
    }
    source.addEventListener("open", () => {
      errorsInARow = 0;
      retryDelay = RETRY_FIRST_MS;
      stopPolling();
      wrap.dataset.live = "stream";
      // Catch up on anything that happened while the stream was down.
      refreshCountSoon();
    });
    source.addEventListener("notification", onNotification);
    source.addEventListener("notification-update", onUpdate);
    source.addEventListener("notification-delete", onDelete);
    // Away longer than the server keeps events: start over from the API.
    source.addEventListener("resync", () => {
      refreshCountSoon();
      if (state.open) loadItems();
      emit("resync", {});
    });
    source.addEventListener("error", () => {
      errorsInARow += 1;
      if (!source || source.readyState === EventSource.CLOSED || errorsInARow >= ERRORS_BEFORE_FALLBACK) {
        fallBack();
      } else {
        wrap.dataset.live = "reconnecting";
      }
    });
  }

  // The first count covers everything before it; stream events older than it (nchan hands a new
  // subscriber the newest message it kept) are skipped. Their age is judged by the server's clock.
  async function firstCount() {
    startedAt = Math.floor(Date.now() / 1000) - 2;
    try {
      const response = await fetch("/api/notifications/unread-count", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      const serverTime = Date.parse(response.headers.get("Date") || "");
      if (!Number.isNaN(serverTime)) startedAt = Math.floor(serverTime / 1000) - 2;
      const body = await response.json();
      if (response.ok && body && body.ok) setUnread(body.data.unread);
    } catch {
      // The stream's open event fetches the count again.
    }
    state.announceChanges = true;
  }

  // A page being left keeps its stream open otherwise (the back/forward cache holds it), and
  // browsers allow only six connections to a host: a few pages later the next page's requests
  // would wait behind old streams. Close on the way out; reconnect if the page is shown again.
  window.addEventListener("pagehide", () => {
    window.clearTimeout(retryTimer);
    retryTimer = null;
    stopPolling();
    if (source) {
      source.close();
      source = null;
    }
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted || source) return;
    refreshCountSoon();
    connect();
  });

  setUnread(0);
  firstCount().then(connect);

  return { setUnread, refreshCount };
}
