"""The HTTP contract through nginx: envelope, errors, limits, static pages, headers."""

import http.client
import json
import re
import urllib.parse

from conftest import MAX_BODY_BYTES, newest_migration_version


def test_health_reports_database_schema_and_version(stack):
    r = stack.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True
    assert body["data"]["database"] == "up"
    assert body["data"]["schemaVersion"] == newest_migration_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", body["data"]["version"])
    # The request id nginx made is the one the app echoes in the header and the body.
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-Id"])
    assert body["requestId"] == r.headers["X-Request-Id"]


def test_unknown_api_path_is_a_json_404(stack):
    r = stack.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["ok"] is False
    assert r.json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_405_with_allow(stack):
    r = stack.post("/api/health", json={})
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD"}
    assert r.json()["error"]["code"] == "method_not_allowed"
    # A fixed path is never taken for the id of a route beside it (`/api/payments/{id}`).
    r = stack.get("/api/payments/webhook")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_body_over_the_app_limit_is_a_413(stack):
    r = stack.post("/api/_test/echo", data=b"{" + b" " * MAX_BODY_BYTES + b"}",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_body_over_the_nginx_limit_is_a_json_413_too(stack):
    r = stack.post("/api/_test/echo", data=b"x" * (26 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["ok"] is False


def raw_get(stack, target, headers=None):
    """A GET with the request target sent exactly as given (no client-side quoting)."""
    parsed = urllib.parse.urlsplit(stack.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type"), json.loads(answer.read())
    finally:
        connection.close()


def test_requests_nginx_refuses_itself_answer_with_the_json_envelope(stack):
    for target, status, code in (("/api/bookings/%00", 400, "bad_request"), ("/api/bookings/%zz", 400, "bad_request"),
                                 ("/api/health?" + "a" * 20000, 414, "uri_too_long")):
        got, content_type, body = raw_get(stack, target)
        assert (got, content_type, body["ok"], body["error"]["code"]) == (status, "application/json", False, code)
    got, _, body = raw_get(stack, "/api/health", headers={"X-Big": "a" * 40000})
    assert got == 400 and body["error"]["code"] == "headers_too_large"


def test_malformed_json_is_a_400_invalid_json(stack):
    r = stack.post("/api/_test/echo", data=b'{"bookingId": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"


def test_wrong_media_type_is_a_415(stack):
    r = stack.post("/api/_test/echo", data=b'{"a":1}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"


def test_valid_json_round_trips(stack):
    payload = {"bookingId": "b-1", "nested": {"list": [1, 2.5, "three", None, True]}, "name": "Zoë"}
    r = stack.post("/api/_test/echo", json=payload)
    assert r.status_code == 200
    assert r.json()["data"] == payload


def test_head_has_headers_and_no_body(stack):
    r = stack.get("/api/health")
    h = __import__("requests").head(stack.url + "/api/health", timeout=10)
    assert h.status_code == 200
    assert h.content == b""
    assert h.headers["Content-Type"] == r.headers["Content-Type"]


def test_static_portal_page_with_security_headers(stack):
    r = stack.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["Content-Type"]
    assert "Itinera" in r.text
    for response in (r, stack.get("/api/health")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_text_answers_are_gzipped_for_clients_that_ask(stack):
    r = stack.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"


def test_metrics_sum_requests_over_all_workers(stack):
    def health_200_count():
        text = stack.get("/api/metrics").text
        m = re.search(r'itinera_http_requests_total\{method="GET",route="/api/health",status="200"\} (\d+)', text)
        return int(m.group(1)) if m else 0

    before = health_200_count()
    for _ in range(30):
        assert stack.get("/api/health").status_code == 200
    text = stack.get("/api/metrics").text
    assert health_200_count() - before == 30
    assert "# TYPE itinera_http_request_duration_seconds histogram" in text
    assert 'itinera_http_request_duration_seconds_bucket{method="GET",route="/api/health",le="+Inf"}' in text
    assert re.search(r"^itinera_workers 3$", text, re.M)
    assert re.search(r"^itinera_worker_restarts_total \d+$", text, re.M)
