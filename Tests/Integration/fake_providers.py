"""Local stand-ins for the payment providers' APIs, speaking their endpoints: Stripe's PaymentIntents
and refunds (form-encoded, bearer key, Idempotency-Key) and Razorpay's orders and refunds (JSON,
basic auth). The app reaches them through STRIPE_API_BASE / RAZORPAY_API_BASE. Like the real ones,
they confirm a refund with a signed webhook to the app (`app_url`, set once the stack is up)."""

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

STRIPE_SECRET_KEY = "sk_test_itinera"
STRIPE_WEBHOOK_SECRETS = ["whsec_new_itinera", "whsec_old_itinera"]
RAZORPAY_KEY_ID = "rzp_test_itinera"
RAZORPAY_KEY_SECRET = "rzp_secret_itinera"
RAZORPAY_WEBHOOK_SECRET = "rzp_whsec_itinera"
SANDBOX_WEBHOOK_SECRET = "sbx_whsec_itinera"


class FakeProviders:
    def __init__(self):
        self.requests = []  # (provider, path, headers, body) in arrival order
        self.failures = {}  # path prefix -> (status, json body) answered once
        self.delay_seconds = 0
        self.idempotent = {}  # Idempotency-Key -> answer (Stripe's own behaviour)
        self.razorpay_refunds = {}  # Razorpay payment id -> refunds made
        self.app_url = None  # where refund webhooks go; None: none are sent
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self):
        return {"STRIPE_API_BASE": self.url, "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
                "STRIPE_WEBHOOK_SECRET": ",".join(STRIPE_WEBHOOK_SECRETS),
                "RAZORPAY_API_BASE": self.url, "RAZORPAY_KEY_ID": RAZORPAY_KEY_ID,
                "RAZORPAY_KEY_SECRET": RAZORPAY_KEY_SECRET, "RAZORPAY_WEBHOOK_SECRET": RAZORPAY_WEBHOOK_SECRET,
                "ITINERA_SANDBOX_PAYMENTS": "1", "ITINERA_SANDBOX_WEBHOOK_SECRET": SANDBOX_WEBHOOK_SECRET,
                "ITINERA_PROVIDER_TIMEOUT_MS": "2000"}

    def fail_next(self, path_prefix, status, body):
        with self.lock:
            self.failures[path_prefix] = (status, body)

    def calls(self, path_prefix):
        with self.lock:
            return [r for r in self.requests if r[1].startswith(path_prefix)]

    def stop(self):
        self.server.shutdown()

    def _answer(self, path, headers, body):
        with self.lock:
            for prefix, failure in list(self.failures.items()):
                if path.startswith(prefix):
                    del self.failures[prefix]
                    return failure
        if path.startswith("/v1/payment_intents") or path.startswith("/v1/refunds"):
            if headers.get("Authorization") != f"Bearer {STRIPE_SECRET_KEY}":
                return 401, {"error": {"message": "Invalid API Key provided"}}
            form = dict(parse_qsl(body.decode()))
            key = headers.get("Idempotency-Key")
            with self.lock:
                if key in self.idempotent:
                    return 200, self.idempotent[key]
            if path == "/v1/payment_intents":
                pid = "pi_" + uuid.uuid4().hex[:20]
                answer = {"id": pid, "object": "payment_intent", "amount": int(form["amount"]),
                          "currency": form["currency"], "client_secret": f"{pid}_secret_{uuid.uuid4().hex[:10]}",
                          "status": "requires_payment_method", "metadata": {
                              k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}}
            else:
                answer = {"id": "re_" + uuid.uuid4().hex[:20], "object": "refund", "amount": int(form["amount"]),
                          "currency": "eur", "payment_intent": form["payment_intent"], "status": "succeeded",
                          "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}}
                self.send_webhook_later("stripe", {"id": "evt_" + uuid.uuid4().hex[:16], "type": "refund.created",
                                                   "data": {"object": answer}})
            with self.lock:
                self.idempotent[key] = answer
            return 200, answer
        if path == "/v1/orders" or (path.startswith("/v1/payments/") and path.endswith("/refund")):
            expected = "Basic " + base64.b64encode(f"{RAZORPAY_KEY_ID}:{RAZORPAY_KEY_SECRET}".encode()).decode()
            if headers.get("Authorization") != expected:
                return 401, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}}
            data = json.loads(body or b"{}")
            if path == "/v1/orders":
                return 200, {"id": "order_" + uuid.uuid4().hex[:14], "entity": "order", "amount": data["amount"],
                             "currency": data["currency"], "receipt": data.get("receipt"), "status": "created"}
            payment = path.split("/")[3]
            made = {"id": "rfnd_" + uuid.uuid4().hex[:14], "entity": "refund", "amount": data["amount"],
                    "currency": "INR", "payment_id": payment, "notes": data.get("notes", {}), "status": "processed"}
            with self.lock:
                self.razorpay_refunds.setdefault(payment, []).append(made)
            self.send_webhook_later("razorpay", {"event": "refund.processed", "created_at": int(time.time()),
                                                 "payload": {"refund": {"entity": made}}})
            return 200, made
        return 404, {"error": {"message": f"no route {path}"}}

    def _get(self, path, headers):
        if path.startswith("/v1/payments/") and "/refunds" in path:
            with self.lock:
                items = list(self.razorpay_refunds.get(path.split("/")[3], []))
            return 200, {"entity": "collection", "count": len(items), "items": items}
        return 404, {"error": {"message": f"no route {path}"}}

    def send_webhook_later(self, provider, event):
        """Signs and POSTs `event` to the app shortly after this answer, as the provider would."""
        if not self.app_url:
            return
        body = json.dumps(event).encode()
        if provider == "stripe":
            t = int(time.time())
            digest = hmac.new(STRIPE_WEBHOOK_SECRETS[0].encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
            headers = {"Stripe-Signature": f"t={t},v1={digest}"}
        else:
            headers = {"X-Razorpay-Signature": hmac.new(RAZORPAY_WEBHOOK_SECRET.encode(), body,
                                                        hashlib.sha256).hexdigest(),
                       "X-Razorpay-Event-Id": "ev_" + uuid.uuid4().hex[:12]}
        url = f"{self.app_url}/api/payments/webhook?provider={provider}"

        def deliver():
            import requests
            time.sleep(0.1)
            for _ in range(20):  # a provider retries until it gets a 2xx
                try:
                    if requests.post(url, data=body, timeout=10,
                                     headers=dict(headers, **{"Content-Type": "application/json"})).ok:
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.5)

        threading.Thread(target=deliver, daemon=True).start()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with fake.lock:
                    fake.requests.append(("razorpay", self.path, dict(self.headers), b""))
                self.answer(*fake._get(self.path, self.headers))

            def answer(self, status, answer):
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                provider = "razorpay" if "/orders" in self.path or self.path.startswith("/v1/payments/") else "stripe"
                with fake.lock:
                    fake.requests.append((provider, self.path, dict(self.headers), body))
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                self.answer(*fake._answer(self.path, self.headers, body))

            def log_message(self, *args):
                pass

        return Handler
