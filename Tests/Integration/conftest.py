"""Integration tests: a real PostgreSQL, the real FastCGI pool and a real nginx, started by
scripts/stack in a temporary folder on free ports (so they run beside `make run`)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from fake_providers import FakeProviders

PROJECT = Path(os.environ.get("ITINERA_PROJECT", Path(__file__).resolve().parents[2]))
BINARY = Path(os.environ.get("ITINERA_BINARY", PROJECT / ".build/debug/itinera"))
STACK = PROJECT / "scripts/stack"
MAX_BODY_BYTES = 65536
WORKERS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def newest_migration_version():
    return max(int(p.name.split("_", 1)[0]) for p in (PROJECT / "migrations").glob("*.sql"))


class Stack:
    """A running stack and the handles a test needs to disturb it."""

    def __init__(self, vardir, url, database_url, owner_url, env):
        self.vardir = Path(vardir)
        self.url = url
        self.database_url = database_url  # itinera_app: what the workers use, under RLS
        self.owner_url = owner_url  # itinera: owns the tables
        self.admin_url = owner_url.replace("itinera@", "postgres@", 1)  # superuser of the test cluster
        self.env = env

    def get(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)

    def post(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return requests.post(self.url + path, **kwargs)

    def stack(self, command):
        subprocess.run([str(STACK), command, str(self.vardir)], check=True, env=self.env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def worker_pid(self):
        return int((self.vardir / "run/worker.pid").read_text().strip())

    def pool_pid(self):
        return int((self.vardir / "run/itinera.pid").read_text().strip())

    def worker_pids(self):
        pid = self.pool_pid()
        children = set()
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            children.update(int(c) for c in text)
        return children

    def wait_for_workers(self, count=WORKERS, timeout=15, exclude=()):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = self.worker_pids() - set(exclude)
            if len(pids) >= count:
                return pids
            time.sleep(0.05)
        raise AssertionError(f"pool did not reach {count} workers; has {self.worker_pids()}")

    def psql(self, sql, database_url=None):
        """Runs SQL as the table owner (or as `database_url`'s role) and returns psql's unaligned output."""
        out = subprocess.run(["psql", database_url or self.owner_url, "-XAtqc", sql], check=True,
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip()

    def itinera(self, *args, env=None, input=None):
        full_env = dict(self.env)
        full_env.update(env or {})
        return subprocess.run([str(BINARY), *args], env=full_env, input=input, capture_output=True,
                              cwd=PROJECT, timeout=60)


@pytest.fixture(scope="session")
def providers():
    """The fake Stripe and Razorpay APIs the stack's providers call."""
    fake = FakeProviders()
    yield fake
    fake.stop()


@contextlib.contextmanager
def running_stack(providers, **extra_env):
    """A stack of its own in a temporary folder on a free port, taken down afterwards."""
    vardir = tempfile.mkdtemp(prefix="itinera-test-")
    os.chmod(vardir, 0o755)
    port = free_port()
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("DATABASE_OWNER_URL", None)
    env.update({"ITINERA_TEST_ROUTES": "1", "ITINERA_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
                "ITINERA_PROJECT": str(PROJECT), "ITINERA_LOGIN_RATE": "6000r/m",
                "ITINERA_WORKER_TEST_HANDLERS": "1", "ITINERA_OUTBOX_BACKOFF_MS": "50",
                "ITINERA_OUTBOX_MAX_ATTEMPTS": "3", "ITINERA_OUTBOX_LEASE_SECONDS": "2",
                "ITINERA_STREAM_MAX_SECONDS": "12"})
    env.update(providers.env())
    env.update(extra_env)
    up = subprocess.run([str(STACK), "up", vardir, "--port", str(port), "--binary", str(BINARY),
                         "--workers", str(WORKERS), "--bench"],
                        env=env, capture_output=True, text=True, timeout=300)
    if up.returncode != 0:
        subprocess.run([str(STACK), "down", vardir], env=env, capture_output=True)
        pytest.fail(f"stack up failed:\n{up.stdout}\n{up.stderr}")
    values = dict(line.split("=", 1) for line in up.stdout.splitlines() if "=" in line)
    env["DATABASE_URL"] = values["DATABASE_URL"]
    env["DATABASE_OWNER_URL"] = values["DATABASE_OWNER_URL"]
    try:
        yield Stack(vardir, values["ITINERA_URL"], values["DATABASE_URL"], values["DATABASE_OWNER_URL"], env)
    finally:
        subprocess.run([str(STACK), "down", vardir], env=env, capture_output=True, timeout=120)
        if not os.environ.get("ITINERA_KEEP_TEST_STACK"):
            shutil.rmtree(vardir, ignore_errors=True)


@pytest.fixture(scope="session")
def stack(providers):
    with running_stack(providers) as s:
        providers.app_url = s.url
        yield s


@pytest.fixture(scope="module")
def staff(stack):
    """A staff member of the demo team over the API, signed in once per test module."""
    from identity import Browser
    stack.psql("DELETE FROM login_attempts")
    return Browser(stack, "staff@demo.test")


@pytest.fixture
def driver(stack):
    """A headless Chromium for one test; the test fails if the page logged script errors or CSP
    violations."""
    from chromium import console_problems, new_driver  # selenium only where a browser is used
    stack.psql("DELETE FROM login_attempts")
    browser = new_driver()
    yield browser
    problems = console_problems(browser)
    browser.quit()
    stack.psql("DELETE FROM login_attempts")
    assert problems == []


@pytest.fixture
def healthy(stack):
    """Leaves the stack as the next test expects it: PostgreSQL, pool and nginx all running."""
    yield stack
    status = subprocess.run([str(STACK), "status", str(stack.vardir)], env=stack.env, capture_output=True,
                            text=True)
    if "postgresql: stopped" in status.stdout:
        stack.stack("pg-start")
    if "pool: stopped" in status.stdout:
        stack.stack("pool-start")
    if "worker: stopped" in status.stdout:
        stack.stack("worker-start")
    stack.wait_for_workers()


def wait_until(check, seconds=20):
    """Polls `check` until it is true (True) or `seconds` pass (False): for work the worker does later."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def cgi(stack, method, uri, body=b"", env=None, content_type=None):
    """Runs the binary as plain CGI, the way a shared host's web server would."""
    cgi_env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "REQUEST_URI": uri,
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(len(body))}
    if content_type:
        cgi_env["CONTENT_TYPE"] = content_type
    cgi_env.update(env or {})
    result = stack.itinera(env=cgi_env, input=body)
    head, _, payload = result.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return result.returncode, headers, payload


__all__ = ["Stack", "cgi", "running_stack", "wait_until", "newest_migration_version", "MAX_BODY_BYTES", "WORKERS", "signal"]
