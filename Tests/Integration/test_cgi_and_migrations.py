"""The same binary as plain CGI, and `itinera migrate` on databases of its own."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import PROJECT, cgi, newest_migration_version


@pytest.fixture
def empty_database(stack):
    name = "itinera_scratch"
    stack.psql(f"DROP DATABASE IF EXISTS {name}", database_url=stack.admin_url)
    stack.psql(f"CREATE DATABASE {name} OWNER itinera", database_url=stack.admin_url)
    yield stack.owner_url.replace("/itinera?", f"/{name}?")
    stack.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", database_url=stack.admin_url)


def test_cgi_answers_one_request_from_environment_and_stdin(stack):
    body = json.dumps({"hello": "cgi"}).encode()
    code, headers, payload = cgi(stack, "POST", "/api/_test/echo", body, content_type="application/json")
    assert code == 0
    assert headers["Status"].startswith("200")
    assert json.loads(payload)["data"] == {"hello": "cgi"}


def test_cgi_health_talks_to_the_database(stack):
    code, headers, payload = cgi(stack, "GET", "/api/health")
    assert headers["Status"].startswith("200")
    assert json.loads(payload)["data"]["database"] == "up"


def test_cgi_errors_keep_the_envelope(stack):
    _, headers, payload = cgi(stack, "GET", "/api/nowhere")
    assert headers["Status"].startswith("404")
    assert json.loads(payload)["error"]["code"] == "not_found"
    _, headers, payload = cgi(stack, "POST", "/api/_test/echo", b"{nope", content_type="application/json")
    assert headers["Status"].startswith("400")
    assert json.loads(payload)["error"]["code"] == "invalid_json"


def test_a_database_behind_the_binary_is_refused_until_migrated(stack, empty_database):
    _, headers, payload = cgi(stack, "GET", "/api/health", env={"DATABASE_URL": empty_database,
                                                                "DATABASE_OWNER_URL": empty_database})
    assert headers["Status"].startswith("503")
    error = json.loads(payload)["error"]
    assert error["code"] == "schema_outdated"
    assert "itinera migrate" in error["message"]

    scratch = {"DATABASE_URL": empty_database, "DATABASE_OWNER_URL": empty_database}
    status = stack.itinera("migrate", "--status", env=scratch)
    assert status.returncode == 0
    assert b"pending  0001  platform" in status.stdout

    migrated = stack.itinera("migrate", env=scratch)
    assert migrated.returncode == 0, migrated.stderr
    _, headers, payload = cgi(stack, "GET", "/api/health", env={"DATABASE_URL": empty_database,
                                                                "DATABASE_OWNER_URL": empty_database})
    assert headers["Status"].startswith("200")
    assert json.loads(payload)["data"]["schemaVersion"] == newest_migration_version()

    again = stack.itinera("migrate", env=scratch)
    assert again.returncode == 0 and b"up to date" in again.stdout


def test_two_concurrent_migrations_apply_each_file_once(stack, empty_database):
    env = dict(stack.env, DATABASE_URL=empty_database, DATABASE_OWNER_URL=empty_database)
    runs = [subprocess.Popen([str(stack.env.get("ITINERA_BINARY") or PROJECT / ".build/debug/itinera"), "migrate"],
                             env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    rows = stack.psql("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version",
                      database_url=empty_database)
    assert rows.splitlines() == [f"{v}|1" for v in range(1, newest_migration_version() + 1)]


def test_migrate_refuses_an_applied_file_that_changed(stack):
    folder = Path(tempfile.mkdtemp(prefix="itinera-migrations-"))
    try:
        for f in (PROJECT / "migrations").glob("*.sql"):
            shutil.copy(f, folder)
        first = sorted(folder.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited after it was applied\n")
        result = stack.itinera("migrate", env={"ITINERA_MIGRATIONS_DIR": str(folder)})
        assert result.returncode != 0
        assert b"was changed after it was applied" in result.stderr
        status = stack.itinera("migrate", "--status", env={"ITINERA_MIGRATIONS_DIR": str(folder)})
        assert status.returncode != 0
    finally:
        shutil.rmtree(folder)


def test_audit_rows_from_before_the_booking_history_are_linked_to_their_bookings(stack, empty_database):
    scratch = {"DATABASE_URL": empty_database, "DATABASE_OWNER_URL": empty_database}
    folder = Path(tempfile.mkdtemp(prefix="itinera-migrations-"))
    try:
        for f in (PROJECT / "migrations").glob("*.sql"):
            if int(f.name[:4]) <= 22:
                shutil.copy(f, folder)
        assert stack.itinera("migrate", env=dict(scratch, ITINERA_MIGRATIONS_DIR=str(folder))).returncode == 0
    finally:
        shutil.rmtree(folder)
    team, booking, item = "0a0a0a0a-0000-4000-8000-000000000001", "0b0b0b0b-0000-4000-8000-000000000001", \
        "0c0c0c0c-0000-4000-8000-000000000001"
    stack.psql(f"""
        INSERT INTO teams (id, name) VALUES ('{team}', 'Old Agency');
        INSERT INTO customers (id, team_id, name) VALUES ('{team}', '{team}', 'Old Customer');
        INSERT INTO bookings (id, team_id, booking_reference, customer_id, status, currency)
        VALUES ('{booking}', '{team}', 'ITN-OLD001', '{team}', 'booking_created', 'EUR');
        INSERT INTO booking_items (id, team_id, booking_id, position, kind, description, quantity, unit_price_minor)
        VALUES ('{item}', '{team}', '{booking}', 0, 'other', 'Old item', 1, 100);
        INSERT INTO audit_log (team_id, actor_type, action, target_table, target_id) VALUES
            ('{team}', 'user', 'booking_item.update', 'booking_items', '{item}'),
            ('{team}', 'user', 'booking.update', 'bookings', '{booking}'),
            ('{team}', 'user', 'booking_item.delete', 'booking_items', '{booking}-gone'),
            ('{team}', 'user', 'token.create', 'api_tokens', '{booking}');
    """, database_url=empty_database)
    assert stack.itinera("migrate", env=scratch).returncode == 0
    linked = stack.psql("SELECT string_agg(action || '=' || coalesce(booking_id::text, '-'), ',' ORDER BY id) "
                        "FROM audit_log", database_url=empty_database)
    assert linked == (f"booking_item.update={booking},booking.update={booking},booking_item.delete=-,"
                      "token.create=-")
