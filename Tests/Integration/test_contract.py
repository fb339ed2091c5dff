"""The API's contract: docs/openapi.yaml is valid OpenAPI 3.1, describes exactly the route table,
is served at /api/openapi.yaml, and schemathesis — every operation, as an admin, a customer and a
supplier — finds no server error and no answer that breaks the description."""

import os
import subprocess

import pytest
import yaml
from openapi_spec_validator import validate

from conftest import PROJECT, running_stack
from identity import cli

SPEC = PROJECT / "docs/openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Bounded so that the whole run fits CI; the seed makes a failure reproducible.
EXAMPLES = int(os.environ.get("ITINERA_FUZZ_EXAMPLES", "8"))
SEED = os.environ.get("ITINERA_FUZZ_SEED", "20261208")


def described():
    spec = yaml.safe_load(SPEC.read_text())
    return {f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
            if method in METHODS}


def test_the_description_is_valid_openapi_3_1():
    spec = yaml.safe_load(SPEC.read_text())
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_is_described_and_every_description_is_a_route(stack):
    routes = set(cli(stack, "routes").splitlines())
    assert routes, "itinera routes printed nothing"
    assert sorted(routes - described()) == [], "routes without a description"
    assert sorted(described() - routes) == [], "descriptions without a route"


def test_every_operation_names_its_errors():
    spec = yaml.safe_load(SPEC.read_text())
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            statuses = set(operation["responses"])
            name = f"{method.upper()} {path}"
            assert any(s.startswith("2") for s in statuses), name
            assert operation.get("operationId"), name
            if "{" in path:
                assert "404" in statuses, name
            if "requestBody" in operation:
                assert "400" in statuses, name
            # A credential that can be missing or wrong (a provider's bad signature is a 400 instead).
            schemes = {name for requirement in operation.get("security", spec["security"]) for name in requirement}
            if schemes & {"bearerToken", "sessionCookie", "partnerSignature"}:
                assert "401" in statuses, name


def test_the_description_is_served(stack):
    r = stack.get("/api/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(r.text) == yaml.safe_load(SPEC.read_text())


@pytest.fixture(scope="module")
def fuzzed(providers):
    """A stack of its own: the fuzzer creates and changes records the other tests must not see."""
    with running_stack(providers, ITINERA_SANDBOX_PAYMENTS="1", ITINERA_LOGIN_RATE="60000r/m") as s:
        yield s


def fuzz(stack, token, paths=None):
    command = ["schemathesis", "run", str(SPEC), "--url", stack.url, "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", str(EXAMPLES),
               "--seed", SEED, "--request-timeout", "15", "--no-color"]
    if paths:
        command += ["--include-path-regex", paths]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, cwd=PROJECT)
    # The failures with their reproducing curl commands, then the summary.
    failures = result.stdout[result.stdout.find("FAILURES"):] if "FAILURES" in result.stdout else result.stdout
    assert result.returncode == 0, failures[:30000] + result.stderr[-5000:]


def token(stack, email):
    return cli(stack, "token", "create", "--user", email, "--team", "Demo Travel", "--name", "fuzz").strip() \
        .splitlines()[-1]


def test_schemathesis_finds_nothing_as_an_admin(fuzzed):
    fuzz(fuzzed, token(fuzzed, "admin@demo.test"))


def test_schemathesis_finds_nothing_on_the_client_and_supplier_routes(fuzzed):
    fuzz(fuzzed, token(fuzzed, "customer@demo.test"), r"^/api/(customer/|notifications|auth/|payments/|documents/)")
    fuzz(fuzzed, token(fuzzed, "supplier@demo.test"), r"^/api/(supplier/|notifications|auth/|documents/)")


# --- what the fuzzer found, fixed in the code -------------------------------------------------------

def test_a_patch_takes_the_snake_case_spelling_too(stack):
    from identity import Browser
    staff = Browser(stack, "staff@demo.test")
    customer = staff.send("POST", "/api/customers", json={"name": "Spelling Client"}).json()["data"]["id"]
    trip = staff.send("POST", "/api/trips", json={"customerId": customer, "name": "Lisbon",
                                                  "startsOn": "2027-03-01"})
    assert trip.status_code == 201, trip.text
    path = f"/api/trips/{trip.json()['data']['id']}"
    edited = staff.send("PATCH", path, json={"ends_on": "2027-03-05"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["ends_on"] == "2027-03-05"
    both = staff.send("PATCH", path, json={"endsOn": "2027-03-06", "ends_on": "2027-03-07"})
    assert both.status_code == 400 and "endsOn" in both.json()["error"]["details"]["fields"]
    assert staff.get(path).json()["data"]["ends_on"] == "2027-03-05"


def test_a_refund_webhook_with_an_amount_below_one_is_a_bad_payload(stack):
    import hashlib
    import hmac
    import json
    import requests
    from fake_providers import RAZORPAY_WEBHOOK_SECRET
    before = stack.psql("SELECT count(*) FROM payment_webhook_events")
    for amount in (0, -5):
        body = json.dumps({"event": "refund.processed", "payload": {"refund": {"entity": {
            "id": f"rfnd_{amount}", "amount": amount, "payment_id": "pay_unknown", "currency": "INR"}}}}).encode()
        signature = hmac.new(RAZORPAY_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        r = requests.post(f"{stack.url}/api/payments/webhook?provider=razorpay", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-Razorpay-Signature": signature})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "invalid_payload"
    assert stack.psql("SELECT count(*) FROM payment_webhook_events") == before


def test_travelers_of_a_new_booking_are_stored_as_checked(stack):
    from identity import Browser
    staff = Browser(stack, "staff@demo.test")
    customer = staff.send("POST", "/api/customers", json={"name": "Trim Client"}).json()["data"]["id"]
    body = {"customerId": customer, "currency": "EUR",
            "travelers": [{"firstName": "\nAna", "lastName": "Lima\n", "email": "  ana@example.com ",
                           "phone": " +351 21 000 "}]}
    created = staff.send("POST", "/api/bookings", json=body)
    assert created.status_code == 201, created.text
    traveler = created.json()["data"]["travelers"][0]
    assert (traveler["first_name"], traveler["last_name"], traveler["email"], traveler["phone"]) == \
        ("Ana", "Lima", "ana@example.com", "+351 21 000")
    body["travelers"] = [{"firstName": "a" * 100 + "\n", "lastName": "B", "phone": "call me after six, please"}]
    refused = staff.send("POST", "/api/bookings", json=body)
    assert refused.status_code == 400, refused.text
    assert set(refused.json()["error"]["details"]["fields"]) == {"travelers[0].phone"}


def test_a_booking_read_with_a_malformed_id_checks_the_caller_first(stack):
    import requests
    from identity import Browser
    assert requests.get(f"{stack.url}/api/bookings/xyz", timeout=10).status_code == 401
    customer = Browser(stack, "customer@demo.test")
    assert customer.get("/api/bookings/xyz").status_code == 403
    assert customer.get("/api/customer/bookings/xyz").status_code == 404
