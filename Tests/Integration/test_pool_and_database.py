"""The pool under trouble: dead workers, a database restart, SIGTERM and SIGHUP."""

import os
import re
import signal
import threading
import time

from conftest import WORKERS


def test_a_killed_worker_is_replaced_and_requests_keep_succeeding(healthy):
    stack = healthy
    workers = stack.wait_for_workers()
    victim = sorted(workers)[0]
    os.kill(victim, signal.SIGKILL)
    statuses = [stack.get("/api/health").status_code for _ in range(60)]
    assert statuses == [200] * 60
    replaced = stack.wait_for_workers(exclude={victim})
    assert victim not in replaced and len(replaced) == WORKERS
    metrics = stack.get("/api/metrics").text
    restarts = re.search(r"^itinera_worker_restarts_total (\d+)$", metrics, re.M)
    assert restarts and int(restarts.group(1)) >= 1


def test_database_down_gives_a_fast_503_and_recovers_without_a_restart(healthy):
    stack = healthy
    pool = stack.pool_pid()
    assert stack.get("/api/health").status_code == 200
    stack.stack("pg-stop")
    for _ in range(WORKERS * 2):
        started = time.monotonic()
        r = stack.get("/api/health")
        elapsed = time.monotonic() - started
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "database_unavailable"
        assert r.json()["error"]["details"]["database"] == "down"
        assert elapsed < 1.0
    stack.stack("pg-start")
    # Every worker held a connection that died with the server: the first request each makes must succeed.
    statuses = [stack.get("/api/health").status_code for _ in range(WORKERS * 4)]
    assert statuses == [200] * (WORKERS * 4)
    assert stack.pool_pid() == pool


def test_sigterm_lets_a_slow_request_finish(healthy):
    stack = healthy
    pool = stack.pool_pid()
    result = {}

    def slow():
        r = stack.get("/api/_test/sleep?ms=2000")
        result["status"] = r.status_code
        result["body"] = r.json()

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    os.kill(pool, signal.SIGTERM)
    thread.join(timeout=15)
    assert result.get("status") == 200
    assert result["body"]["data"] == {"sleptMs": 2000}
    deadline = time.time() + 15
    while time.time() < deadline and os.path.exists(f"/proc/{pool}"):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pool}"), "the supervisor did not exit after SIGTERM"
    # While the pool is gone nginx answers with its JSON error page, not HTML.
    r = stack.get("/api/health")
    assert r.status_code == 502
    assert r.json()["ok"] is False


def test_sighup_replaces_every_worker_without_failed_requests(healthy):
    stack = healthy
    before = stack.wait_for_workers()
    os.kill(stack.pool_pid(), signal.SIGHUP)
    statuses = []
    deadline = time.time() + 20
    while time.time() < deadline:
        statuses.append(stack.get("/api/health").status_code)
        current = stack.worker_pids()
        if len(current) == WORKERS and not (current & before):
            break
    assert not (stack.worker_pids() & before), "some workers were not replaced"
    assert set(statuses) == {200}
