"""Identity, access and tenancy over HTTP: sessions, CSRF, tokens, partner signatures, isolation, RLS."""

import hashlib
import subprocess
import time
import uuid

import argon2
import pytest
import requests

from identity import (DEMO_PASSWORD, DEMO_TRAVEL, OTHER_AGENCY, Browser, bearer, cli, partner_key,
                      signed_headers)


@pytest.fixture(autouse=True)
def forget_login_attempts(stack):
    """Every test starts with a clean throttle (all tests log in from 127.0.0.1)."""
    stack.psql("DELETE FROM login_attempts")
    yield
    stack.psql("DELETE FROM login_attempts")


def login(stack, email, password=DEMO_PASSWORD):
    return requests.post(stack.url + "/api/auth/login", json={"email": email, "password": password}, timeout=30)


# --- sessions -------------------------------------------------------------------------------------

def test_login_sets_a_hardened_session_cookie_and_me_describes_the_user(stack):
    r = login(stack, "staff@demo.test")
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("itinera_session=")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain HTTP here; the same request over HTTPS gets Secure
    me = r.json()["data"]
    assert me["user"]["email"] == "staff@demo.test"
    assert me["team"] == {"id": DEMO_TRAVEL, "name": "Demo Travel"}
    assert me["role"] == "staff"
    assert me["authenticated_by"] == "session"
    token = cookie.split(";")[0].split("=", 1)[1]
    # Only the SHA-256 of the cookie is stored.
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert stack.psql(f"SELECT count(*) FROM sessions WHERE token_hash = '\\x{digest}'") == "1"


def test_wrong_password_and_unknown_email_answer_alike(stack):
    wrong = login(stack, "staff@demo.test", "not-the-password")
    unknown = login(stack, "nobody@demo.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert "Set-Cookie" not in wrong.headers


def test_bad_login_bodies_are_rejected_and_change_nothing(stack):
    before = stack.psql("SELECT count(*) FROM login_attempts")
    assert requests.post(stack.url + "/api/auth/login", data=b"{", headers={"Content-Type": "application/json"},
                         timeout=10).json()["error"]["code"] == "invalid_json"
    r = requests.post(stack.url + "/api/auth/login", json={"email": "x", "password": ""}, timeout=10)
    assert r.status_code == 400
    assert set(r.json()["error"]["details"]["fields"]) == {"email", "password"}
    assert stack.psql("SELECT count(*) FROM login_attempts") == before


def test_five_failures_for_an_account_throttle_it(stack):
    for _ in range(5):
        assert login(stack, "supplier@demo.test", "wrong-password").status_code == 401
    r = login(stack, "supplier@demo.test")  # even the right password waits now
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= 900
    # Another account from a fresh address is not affected.
    stack.psql("UPDATE login_attempts SET ip = '192.0.2.1'")
    assert login(stack, "customer@demo.test").status_code == 200


def test_failures_for_other_accounts_from_one_address_do_not_lock_out_a_colleague(stack):
    # An office behind one address: a few mistyped or unknown accounts leave everyone else alone.
    for i in range(5):
        assert login(stack, f"unknown{i}@demo.test", "wrong-password").status_code == 401
    assert login(stack, "customer@demo.test").status_code == 200


def test_sessions_expire_absolutely_and_when_idle(stack):
    browser = Browser(stack, "customer@demo.test")
    assert browser.get("/api/auth/me").status_code == 200
    stack.psql("UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE revoked_at IS NULL "
               "AND user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    assert browser.get("/api/auth/me").status_code == 401
    second = Browser(stack, "customer@demo.test")
    stack.psql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL "
               "AND user_id = (SELECT id FROM users WHERE email = 'customer@demo.test')")
    r = second.get("/api/auth/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_logout_ends_the_session_on_the_server(stack):
    browser = Browser(stack, "staff@demo.test")
    stolen = browser.cookie
    r = browser.send("POST", "/api/auth/logout")
    assert r.status_code == 200
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    replay = requests.get(stack.url + "/api/auth/me", cookies={"itinera_session": stolen}, timeout=10)
    assert replay.status_code == 401


def test_cookie_writes_need_the_csrf_token_and_our_origin(stack):
    browser = Browser(stack, "admin@demo.test")
    count = stack.psql("SELECT count(*) FROM api_tokens")
    missing = browser.send("POST", "/api/auth/tokens", csrf=False, json={"name": "no csrf"})
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "csrf_failed"
    wrong = browser.send("POST", "/api/auth/tokens", headers={"X-CSRF-Token": "guess"}, json={"name": "x"})
    assert wrong.status_code == 403
    foreign = browser.send("POST", "/api/auth/tokens", headers={"Origin": "https://evil.example"}, json={"name": "x"})
    assert foreign.status_code == 403
    assert stack.psql("SELECT count(*) FROM api_tokens") == count
    same_origin = browser.send("POST", "/api/auth/tokens", headers={"Origin": stack.url}, json={"name": "ok"})
    assert same_origin.status_code == 201
    # Reads need no token.
    assert browser.get("/api/auth/tokens").status_code == 200


def test_switching_team_for_a_member_of_two_teams(stack):
    cli(stack, "user", "add", "--email", "both@demo.test", "--name", "Bo Both", "--team", DEMO_TRAVEL,
        "--role", "staff", "--password-stdin", stdin="two-teams-pass\n")
    cli(stack, "user", "add", "--email", "both@demo.test", "--name", "Bo Both", "--team", "Other Agency",
        "--role", "admin", "--password-stdin", stdin="two-teams-pass\n")
    browser = Browser(stack, "both@demo.test", "two-teams-pass")
    assert {t["id"] for t in browser.me["teams"]} == {DEMO_TRAVEL, OTHER_AGENCY}
    r = browser.send("POST", "/api/auth/team", json={"teamId": OTHER_AGENCY})
    assert r.status_code == 200
    assert r.json()["data"]["team"]["id"] == OTHER_AGENCY and r.json()["data"]["role"] == "admin"
    assert browser.get("/api/auth/me").json()["data"]["team"]["id"] == OTHER_AGENCY
    outsider = Browser(stack, "admin@other.test")
    assert outsider.send("POST", "/api/auth/team", json={"teamId": DEMO_TRAVEL}).status_code == 404
    # Signing in to a team one is not a member of is refused, not turned into one's own team.
    sessions = stack.psql("SELECT count(*) FROM sessions")
    r = requests.post(stack.url + "/api/auth/login", timeout=30,
                      json={"email": "admin@other.test", "password": DEMO_PASSWORD, "teamId": DEMO_TRAVEL})
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_team" and "itinera_session" not in r.cookies
    assert stack.psql("SELECT count(*) FROM sessions") == sessions
    assert Browser(stack, "both@demo.test", "two-teams-pass", team_id=OTHER_AGENCY).me["team"]["id"] == OTHER_AGENCY


# --- passwords and the CLI --------------------------------------------------------------------------

def test_passwords_are_argon2id_and_weaker_hashes_are_upgraded_at_login(stack):
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("upgrade-me-please")
    cli(stack, "user", "add", "--email", "upgrade@demo.test", "--name", "Up Grade", "--team", DEMO_TRAVEL,
        "--role", "customer", "--password-stdin", stdin="placeholder-pass\n")
    stack.psql(f"UPDATE users SET password_hash = '{weak}' WHERE email = 'upgrade@demo.test'")
    assert login(stack, "upgrade@demo.test", "upgrade-me-please").status_code == 200
    stored = stack.psql("SELECT password_hash FROM users WHERE email = 'upgrade@demo.test'")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert login(stack, "upgrade@demo.test", "upgrade-me-please").status_code == 200


def test_user_passwd_changes_the_password_and_ends_sessions(stack):
    cli(stack, "user", "add", "--email", "passwd@demo.test", "--name", "Pat Wd", "--team", DEMO_TRAVEL,
        "--role", "staff", "--password-stdin", stdin="first-password\n")
    browser = Browser(stack, "passwd@demo.test", "first-password")
    cli(stack, "user", "passwd", "--email", "passwd@demo.test", "--password-stdin", stdin="second-password\n")
    assert browser.get("/api/auth/me").status_code == 401
    assert login(stack, "passwd@demo.test", "first-password").status_code == 401
    assert login(stack, "passwd@demo.test", "second-password").status_code == 200


def test_seed_is_idempotent(stack):
    counts = "SELECT (SELECT count(*) FROM teams) || '/' || (SELECT count(*) FROM memberships)"
    before = stack.psql(counts)
    cli(stack, "seed")
    cli(stack, "seed")
    assert stack.psql(counts) == before
    assert login(stack, "admin@demo.test").status_code == 200


# --- API tokens -------------------------------------------------------------------------------------

def test_tokens_are_shown_once_work_as_bearer_and_stop_when_revoked(stack):
    browser = Browser(stack, "staff@demo.test")
    created = browser.send("POST", "/api/auth/tokens", json={"name": "nightly export"})
    assert created.status_code == 201
    data = created.json()["data"]
    token = data["token"]
    assert token.startswith("itn_") and data["role"] == "staff" and data["expires_at"] is None
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert stack.psql(f"SELECT count(*) FROM api_tokens WHERE token_hash = '\\x{digest}'") == "1"

    me = requests.get(stack.url + "/api/auth/me", headers=bearer(token), timeout=10)
    assert me.status_code == 200 and me.json()["data"]["authenticated_by"] == "token"
    # Bearer requests are exempt from CSRF.
    assert requests.post(stack.url + "/api/auth/tokens", headers=bearer(token), json={"name": "child"},
                         timeout=10).status_code == 201
    listed = {t["id"]: t for t in browser.get("/api/auth/tokens").json()["data"]["items"]}
    assert listed[data["id"]]["last_used_at"] is not None
    assert "token" not in listed[data["id"]]

    assert browser.send("DELETE", f"/api/auth/tokens/{data['id']}").status_code == 200
    assert requests.get(stack.url + "/api/auth/me", headers=bearer(token), timeout=10).status_code == 401

    # A short-lived token cannot make itself a successor that lives longer.
    short = browser.send("POST", "/api/auth/tokens", json={"name": "one hour", "expiresAt": "2030-01-01T10:00:00Z"})
    parent = short.json()["data"]
    for body in ({"name": "forever"}, {"name": "later", "expiresAt": "2031-01-01T00:00:00Z"}):
        child = requests.post(stack.url + "/api/auth/tokens", headers=bearer(parent["token"]), json=body, timeout=10)
        assert child.status_code == 201 and child.json()["data"]["expires_at"] == parent["expires_at"], child.text
    sooner = requests.post(stack.url + "/api/auth/tokens", headers=bearer(parent["token"]), timeout=10,
                           json={"name": "sooner", "expiresAt": "2029-06-01T00:00:00Z"}).json()["data"]
    assert sooner["expires_at"].startswith("2029-06-01")


def test_expired_or_malformed_tokens_are_401(stack):
    browser = Browser(stack, "admin@demo.test")
    token = browser.send("POST", "/api/auth/tokens", json={"name": "short-lived"}).json()["data"]["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    stack.psql(f"UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '\\x{digest}'")
    assert requests.get(stack.url + "/api/auth/me", headers=bearer(token), timeout=10).status_code == 401
    for header in ("Bearer", "Bearer itn_nope", "Basic YWRtaW46eA==", "Bearer " + token[:-1]):
        r = requests.get(stack.url + "/api/auth/me", headers={"Authorization": header}, timeout=10)
        assert r.status_code == 401, header


def test_a_token_cannot_carry_a_role_above_its_user(stack):
    staff = Browser(stack, "staff@demo.test")
    r = staff.send("POST", "/api/auth/tokens", json={"name": "escalate", "role": "admin"})
    assert r.status_code == 403
    admin = Browser(stack, "admin@demo.test")
    r = admin.send("POST", "/api/auth/tokens", json={"name": "reader", "role": "staff"})
    assert r.status_code == 201 and r.json()["data"]["role"] == "staff"
    bad = admin.send("POST", "/api/auth/tokens", json={"name": "", "expiresAt": "2001-01-01T00:00:00Z"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]["fields"]) == {"name", "expiresAt"}


def test_cli_token_create(stack):
    token = cli(stack, "token", "create", "--user", "customer@demo.test", "--team", "Demo Travel").strip()
    me = requests.get(stack.url + "/api/auth/me", headers=bearer(token), timeout=10)
    assert me.status_code == 200 and me.json()["data"]["role"] == "customer"


# --- signed partner calls ---------------------------------------------------------------------------

def test_partner_signatures(stack):
    key_id, secret = partner_key(stack, actions="booking_updated_by_client")
    body = b'{"hello":"partner"}'
    url = stack.url + "/api/partner/verify"
    audits = "SELECT count(*) FROM audit_log WHERE action = 'partner.verify'"
    before = int(stack.psql(audits))

    good = requests.post(url, data=body, headers=signed_headers(key_id, secret, body), timeout=10)
    assert good.status_code == 200
    assert good.json()["data"] == {"key_id": key_id, "team_id": DEMO_TRAVEL,
                                   "allowed_actions": ["booking_updated_by_client"]}
    assert int(stack.psql(audits)) == before + 1

    failures = {
        "tampered body": (b'{"hello":"partneR"}', signed_headers(key_id, secret, body)),
        "wrong secret": (body, signed_headers(key_id, "pks_" + "x" * 43, body)),
        "old timestamp": (body, signed_headers(key_id, secret, body, timestamp=int(time.time()) - 310)),
        "future timestamp": (body, signed_headers(key_id, secret, body, timestamp=int(time.time()) + 310)),
        "unknown key": (body, signed_headers("pk_unknownkey1", secret, body)),
    }
    for name, (sent, headers) in failures.items():
        r = requests.post(url, data=sent, headers=headers, timeout=10)
        assert r.status_code == 401, name
        assert r.json()["error"]["code"] == "invalid_signature", name
    for missing in ("X-Itinera-Key", "X-Itinera-Timestamp", "X-Itinera-Signature"):
        headers = signed_headers(key_id, secret, body)
        del headers[missing]
        assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 401, missing
    assert int(stack.psql(audits)) == before + 1  # nothing done for any failure


def test_partner_secret_rotation_keeps_both_secrets_valid(stack):
    key_id, old = partner_key(stack)
    new = cli(stack, "partner-key", "rotate", "--key", key_id, "--overlap-hours", "1").split(": ", 1)[1].strip()
    body = b"{}"
    for secret in (old, new):
        r = requests.post(stack.url + "/api/partner/verify", data=body,
                          headers=signed_headers(key_id, secret, body), timeout=10)
        assert r.status_code == 200
    stack.psql(f"UPDATE partner_key_secrets SET expires_at = now() WHERE key_id = '{key_id}' AND secret = '{old}'")
    expired = requests.post(stack.url + "/api/partner/verify", data=body,
                            headers=signed_headers(key_id, old, body), timeout=10)
    assert expired.status_code == 401


# --- isolation --------------------------------------------------------------------------------------

def demo_travel_ids(stack):
    """One row id of Demo Travel for every kind of id a route takes."""
    admin = Browser(stack, "admin@demo.test")
    token = admin.send("POST", "/api/auth/tokens", json={"name": "isolation target"}).json()["data"]
    return {"token": token["id"], "team": DEMO_TRAVEL}


# Every route that takes an id of a team's row: (method, path, kind of id, body). Extend as routes land.
ID_ROUTES = [
    ("DELETE", "/api/auth/tokens/{id}", "token", None),
    ("POST", "/api/auth/team", "team", lambda id: {"teamId": id}),
]


def test_another_team_gets_404_on_every_id_of_demo_travel(stack):
    ids = demo_travel_ids(stack)
    outsider = Browser(stack, "admin@other.test")
    for method, path, kind, body in ID_ROUTES:
        r = outsider.send(method, path.replace("{id}", ids[kind]), json=body(ids[kind]) if body else None)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "not_found"
    unknown = outsider.send("DELETE", f"/api/auth/tokens/{uuid.uuid4()}")
    assert unknown.status_code == 404  # indistinguishable from another team's id
    assert stack.psql(f"SELECT revoked_at IS NULL FROM api_tokens WHERE id = '{ids['token']}'") == "t"


def test_routes_demand_sign_in(stack):
    for method, path in [("GET", "/api/auth/me"), ("GET", "/api/auth/tokens"), ("POST", "/api/auth/tokens"),
                         ("POST", "/api/auth/logout"), ("DELETE", f"/api/auth/tokens/{uuid.uuid4()}"),
                         ("GET", f"/api/bookings/{uuid.uuid4()}"), ("GET", f"/api/customer/bookings/{uuid.uuid4()}")]:
        r = requests.request(method, stack.url + path, json={}, timeout=10)
        assert r.status_code == 401, (method, path)
        assert r.json()["error"]["code"] == "unauthenticated"


def test_row_level_security_hides_other_teams_from_the_app_role(stack):
    Browser(stack, "admin@demo.test").send("POST", "/api/auth/tokens", json={"name": "rls probe"})
    probe = """
        SELECT (SELECT count(*) FROM memberships WHERE team_id = '{demo}')
            || '/' || (SELECT count(*) FROM teams WHERE id = '{demo}')
            || '/' || (SELECT count(*) FROM api_tokens)
            || '/' || (SELECT count(*) FROM audit_log WHERE team_id = '{demo}')
            || '/' || (SELECT count(*) FROM users WHERE email IN ('admin@demo.test', 'staff@demo.test'));
    """.format(demo=DEMO_TRAVEL)
    as_other_agency = (f"BEGIN;\nSELECT set_config('itinera.team_id', '{OTHER_AGENCY}', true);\n"
                       f"{probe}\nCOMMIT;\n")
    app = subprocess.run(["psql", stack.database_url, "-XAtq", "-v", "ON_ERROR_STOP=1"], input=as_other_agency,
                         capture_output=True, text=True, timeout=30)
    assert app.returncode == 0, app.stderr
    assert app.stdout.strip().splitlines()[-1] == "0/0/0/0/0"
    # The owner, to whom RLS does not apply, sees those rows; the app role without a tenant sees none.
    owner = stack.psql(probe).splitlines()[-1]
    assert all(int(n) > 0 for n in owner.split("/")), owner
    assert stack.psql("SELECT count(*) FROM teams", database_url=stack.database_url) == "0"
    denied = subprocess.run(["psql", stack.database_url, "-XAtqc", "SELECT count(*) FROM partner_key_secrets"],
                            capture_output=True, text=True, timeout=30)
    assert denied.returncode != 0 and "permission denied" in denied.stderr
