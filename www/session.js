// Who is signed in, the shared header, and API calls that carry the CSRF token.
// Every text from the server goes in with textContent, never innerHTML.

import { mountBell } from "/bell.js";

let current = null;

/**
 * Calls the API; state-changing calls carry the session's CSRF token. Resolves to {status, body}.
 * `extraHeaders` (optional) adds headers such as Idempotency-Key.
 */
export async function api(method, path, body, extraHeaders) {
  const headers = { ...(extraHeaders || {}), Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (current && current.csrf_token && method !== "GET") headers["X-CSRF-Token"] = current.csrf_token;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

/**
 * api(), except that a network failure (server unreachable, connection reset) becomes an answer
 * with status 0 and a readable error message instead of an exception.
 */
export async function call(method, path, body, extraHeaders) {
  try {
    return await api(method, path, body, extraHeaders);
  } catch (failure) {
    return { status: 0, body: { error: { message: `the service is not reachable (${failure.message})` } } };
  }
}

/** The signed-in session's CSRF token (for calls made without api(), such as multipart uploads). */
export function csrfToken() {
  return current && current.csrf_token ? current.csrf_token : "";
}

/**
 * The page the login should return to: a page of this site, read the way the browser reads it
 * (it drops tabs and newlines and reads a backslash as "/": "/\t/evil.example" is another site); else "/".
 */
export function safeNext(value) {
  if (typeof value !== "string" || value === "") return "/";
  let url;
  try {
    url = new URL(value, window.location.origin);
  } catch {
    return "/";
  }
  // The whole address, not its path: a path the URL parser cleans up to "//evil.example" (from
  // "/.//evil.example") would be another site again once assigned.
  return url.origin === window.location.origin ? url.href : "/";
}

function loginURL() {
  const here = window.location.pathname + window.location.search;
  return "/login.html?next=" + encodeURIComponent(here);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The staff pages, linked from the header for staff and admins (the API refuses them to other roles).
const staffPages = [
  ["/bookings.html", "Bookings"],
  ["/new-booking.html", "New booking"],
  ["/leads.html", "Leads"],
  ["/trips.html", "Trips"],
  ["/customers.html", "Customers"],
  ["/suppliers.html", "Suppliers"],
  ["/products.html", "Catalog"],
  ["/dashboard.html", "Dashboard"],
];

// The outbox is the admins' alone (the API refuses it to staff).
const adminPages = [...staffPages, ["/outbox.html", "Outbox"]];

// The client and supplier portals' pages.
const customerPages = [["/my-bookings.html", "My bookings"]];
const supplierPages = [["/assignments.html", "My assignments"]];

// A detail page belongs to its list in the header.
const sections = {
  "/booking.html": "/bookings.html",
  "/lead.html": "/leads.html",
  "/my-booking.html": "/my-bookings.html",
  "/assignment.html": "/assignments.html",
};

function pagesFor(role) {
  if (role === "admin") return adminPages;
  if (role === "staff") return staffPages;
  if (role === "customer") return customerPages;
  if (role === "supplier") return supplierPages;
  return [];
}

function renderNav(pages) {
  const nav = element("nav", "site-nav");
  nav.setAttribute("aria-label", "Main");
  const here = window.location.pathname;
  const section = sections[here] || here;
  for (const [href, label] of pages) {
    const link = element("a", "", label);
    link.href = href;
    if (href === section) link.setAttribute("aria-current", "page");
    nav.append(link);
  }
  return nav;
}

function renderHeader(me) {
  const header = element("header", "site-header");
  header.append(element("a", "brand", "Itinera"));
  header.querySelector(".brand").href = "/";
  const pages = pagesFor(me.role);
  if (pages.length > 0) header.append(renderNav(pages));
  const who = element("span", "who");
  who.append(element("strong", "who-name", me.user.name));
  // Team and role under the name keep the header on one line beside the links on a laptop screen.
  const detail = element("span", "who-detail");
  detail.append(element("span", "who-team", me.team.name));
  detail.append(document.createTextNode(" · "));
  detail.append(element("span", "who-role", me.role));
  who.append(detail);
  header.append(who);
  const logout = element("button", "logout", "Log out");
  logout.type = "button";
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    await api("POST", "/api/auth/logout");
    window.location.assign("/login.html");
  });
  header.append(logout);
  mountBell(header, me, api, logout);
  document.body.prepend(header);
}

/** Loads the signed-in user and shows the header; sends the browser to the login page when nobody is. */
export async function requireSession() {
  const { status, body } = await api("GET", "/api/auth/me");
  if (status === 401) {
    window.location.assign(loginURL());
    return null;
  }
  if (!body || !body.ok) return null;
  current = body.data;
  renderHeader(current);
  return current;
}
