"""The Swift store tests that need PostgreSQL, run against the test cluster."""

import os
import subprocess

from conftest import PROJECT


def test_store_against_real_postgres(stack):
    env = dict(os.environ, ITINERA_TEST_DATABASE_URL=stack.owner_url)
    result = subprocess.run(["swift", "test", "--skip-build", "--filter", "DatabaseTests"], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "10 tests" in output and "passed" in output, output
    assert "skipped" not in output.split("Test run with")[-1], output
