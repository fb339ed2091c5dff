"""`scripts/drill --short`: the reliability drill keeps every promise. The drill starts and stops a
stack of its own, so this test does not use the shared `stack` fixture."""

import os
import re
import signal
import subprocess
import sys

from conftest import BINARY, PROJECT

DRILL = PROJECT / "scripts/drill"
TIMEOUT = 240  # the short drill takes well under 90 s; this leaves room on a busy machine
SCENARIO_LINE = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<status>ok|FAILED)\s{2,}(?P<figure>\S.*)$")


def run_drill():
    """Runs the drill; on a timeout it gets SIGTERM first, so that it stops its stack."""
    env = dict(os.environ, ITINERA_BINARY=str(BINARY), ITINERA_PROJECT=str(PROJECT))
    drill = subprocess.Popen([sys.executable, str(DRILL), "--short", "--binary", str(BINARY)], cwd=PROJECT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = drill.communicate(timeout=TIMEOUT)
        return drill.returncode, out, err, False
    except subprocess.TimeoutExpired:
        drill.send_signal(signal.SIGTERM)
        try:
            out, err = drill.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            drill.kill()
            out, err = drill.communicate()
        return drill.returncode, out, err, True


def test_the_short_drill_keeps_every_promise():
    code, out, err, timed_out = run_drill()
    report = f"--- stdout\n{out}\n--- stderr\n{err}"
    assert not timed_out, f"the drill did not finish within {TIMEOUT} s\n{report}"
    lines = out.splitlines()
    scenarios = [SCENARIO_LINE.match(line) for line in lines[:-1]]
    assert scenarios and all(scenarios), f"unexpected output\n{report}"
    assert [m["status"] for m in scenarios] == ["ok"] * len(scenarios), report
    assert len(scenarios) == 5, report
    assert lines[-1] == "5 passed, 0 failed", report
    assert code == 0, report
