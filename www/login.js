// The sign-in form: posts to /api/auth/login and returns to the page the user came for.
import { api, safeNext } from "/session.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");

function showError(text) {
  error.textContent = text;
  error.hidden = false;
}

const messages = {
  invalid_credentials: "The e-mail or password is wrong.",
  too_many_attempts: "Too many failed sign-ins.",
  validation_failed: "Enter your e-mail address and password.",
  no_team: "This account is not a member of any team.",
};

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) {
    showError(messages.validation_failed);
    return;
  }
  submit.disabled = true;
  try {
    const { status, body } = await api("POST", "/api/auth/login", { email, password });
    if (status === 200 && body && body.ok) {
      const next = new URLSearchParams(window.location.search).get("next");
      window.location.assign(safeNext(next));
      return;
    }
    const code = body && body.error ? body.error.code : "";
    let text = messages[code] || (body && body.error ? body.error.message : `Sign-in failed (HTTP ${status}).`);
    if (code === "too_many_attempts" && body.error.message) text = body.error.message;
    showError(text);
  } catch (failure) {
    showError(`The service is not reachable (${failure.message}).`);
  } finally {
    submit.disabled = false;
  }
});
