"""Local stand-ins for the payment providers' APIs, speaking their endpoints: Stripe's PaymentIntents
and refunds (form-encoded, bearer key, Idempotency-Key) and Razorpay's orders and refunds (JSON,
basic auth). The app reaches them through STRIPE_API_BASE / RAZORPAY_API_BASE."""

import base64
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
                          "payment_intent": form["payment_intent"], "status": "succeeded"}
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
            return 200, {"id": "rfnd_" + uuid.uuid4().hex[:14], "entity": "refund", "amount": data["amount"],
                         "payment_id": path.split("/")[3], "status": "processed"}
        return 404, {"error": {"message": f"no route {path}"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                provider = "razorpay" if "/orders" in self.path or self.path.startswith("/v1/payments/") else "stripe"
                with fake.lock:
                    fake.requests.append((provider, self.path, dict(self.headers), body))
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                status, answer = fake._answer(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
