// Who is signed in, the shared header, and API calls that carry the CSRF token.
// Every text from the server goes in with textContent, never innerHTML.

let current = null;

/** Calls the API; state-changing calls carry the session's CSRF token. Resolves to {status, body}. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
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

/** The page the login should return to: only a path on this site. */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return "/";
  }
  return value;
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

function renderHeader(me) {
  const header = element("header", "site-header");
  header.append(element("a", "brand", "Itinera"));
  header.querySelector(".brand").href = "/";
  const who = element("span", "who");
  who.append(element("strong", "who-name", me.user.name));
  who.append(document.createTextNode(" · "));
  who.append(element("span", "who-team", me.team.name));
  who.append(document.createTextNode(" · "));
  who.append(element("span", "who-role", me.role));
  header.append(who);
  const logout = element("button", "logout", "Log out");
  logout.type = "button";
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    await api("POST", "/api/auth/logout");
    window.location.assign("/login.html");
  });
  header.append(logout);
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
