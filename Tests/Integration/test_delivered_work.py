"""Supplier uploads of delivered work: stored with the booking, type- and size-checked, customer told."""

from pathlib import Path

import pytest

from identity import Browser, advance
from test_bookings import move, new_booking

DEMO_ASSIGNED = "00000000-0000-4000-8000-00000000b002"  # seeded: supplier@demo.test is its photographer
DEMO_OTHER = "00000000-0000-4000-8000-00000000b001"  # not assigned to the supplier
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n"


@pytest.fixture(scope="module")
def people(stack):
    stack.psql("DELETE FROM login_attempts")
    return {who: Browser(stack, f"{who}@demo.test") for who in ("supplier", "customer", "staff")}


def upload(browser, booking, data, filename="photo.png", content_type="image/png", work="photos"):
    files = {"file": (filename, data, content_type)}
    return browser.send("POST", f"/api/supplier/bookings/{booking}/work", files=files, data={"work": work})


def test_upload_is_stored_and_the_customer_is_told(stack, people):
    r = upload(people["supplier"], DEMO_ASSIGNED, PNG)
    assert r.status_code == 201, r.text
    document = r.json()["data"]
    assert document["content_type"] == "image/png" and document["size_bytes"] == len(PNG)
    notes = [n for n in people["customer"].get("/api/notifications?limit=50").json()["data"]["items"]
             if n["type"] == "work_completed" and n["link_id"] == document["id"]]
    assert [n["title"] for n in notes] == ["Ready: your photos for booking ITN-DEMO02"]
    download = people["customer"].get(f"/api/documents/{document['id']}/download")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"] == 'attachment; filename="photo.png"'
    # A name that says another type gets the extension of what the file is.
    disguised = upload(people["supplier"], DEMO_ASSIGNED, PNG, filename="poly.html").json()["data"]
    saved = people["customer"].get(f"/api/documents/{disguised['id']}/download")
    assert saved.headers["Content-Disposition"] == 'attachment; filename="poly.html.png"'
    detail = people["staff"].get(f"/api/bookings/{DEMO_ASSIGNED}").json()["data"]
    assert document["id"] in [d["id"] for d in detail["documents"]]
    # The portals name each delivery, so two of them can be told apart; staff download it too.
    for view in (people["customer"].get(f"/api/customer/bookings/{DEMO_ASSIGNED}").json()["data"],
                 people["supplier"].get(f"/api/supplier/bookings/{DEMO_ASSIGNED}").json()["data"], detail):
        [named] = [d for d in view["documents"] if d["id"] == document["id"]]
        assert (named["label"], named["filename"]) == ("photos", "photo.png")
    assert people["staff"].get(f"/api/documents/{document['id']}/download").content == PNG


def test_only_assigned_suppliers_may_upload(stack, people):
    before = stack.psql("SELECT count(*) FROM documents")
    assert upload(people["supplier"], DEMO_OTHER, PNG).status_code == 404
    assert upload(people["customer"], DEMO_ASSIGNED, PNG).status_code == 403
    outsider = Browser(stack, "admin@other.test")
    assert outsider.send("GET", f"/api/documents/{stack.psql('SELECT id FROM documents LIMIT 1')}/download").status_code \
        == 404
    assert stack.psql("SELECT count(*) FROM documents") == before


def test_a_cancelled_booking_takes_no_delivered_work_but_a_completed_one_does(stack, people):
    staff, supplier_user = people["staff"], stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    customer = staff.send("POST", "/api/customers", json={"name": "Called Off"}).json()["data"]["id"]
    booking = new_booking(staff, customer)["id"]
    assert staff.send("POST", f"/api/bookings/{booking}/assignments",
                      json={"userId": supplier_user, "role": "photographer"}).status_code == 201
    assert move(staff, booking, "cancelled").status_code == 200
    before = stack.psql("SELECT count(*) FROM documents")
    refused = upload(people["supplier"], booking, PNG)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "booking_closed"
    assert stack.psql("SELECT count(*) FROM documents") == before
    assert not list(Path(stack.env.get("ITINERA_UPLOAD_DIR", stack.vardir / "uploads")).glob(f"*/{booking}/*"))
    # Photos sent once the trip is over are what a completed booking is for.
    done = new_booking(staff, customer)["id"]
    assert staff.send("POST", f"/api/bookings/{done}/assignments",
                      json={"userId": supplier_user, "role": "photographer"}).status_code == 201
    for status in ("payment_pending", "payment_confirmed", "supplier_confirmed", "documents_generated", "completed"):
        assert advance(staff, done, status).status_code in (200, 201)
    assert upload(people["supplier"], done, PNG).status_code == 201


def test_type_and_size_are_checked(stack, people):
    before = stack.psql("SELECT count(*) FROM documents")
    exe = upload(people["supplier"], DEMO_ASSIGNED, b"MZ\x90\x00 not an image", filename="x.png")
    assert exe.status_code == 415
    lying = upload(people["supplier"], DEMO_ASSIGNED, PDF, filename="x.png", content_type="image/png")
    assert lying.status_code == 415
    assert upload(people["supplier"], DEMO_ASSIGNED, PDF, filename="report.pdf",
                  content_type="application/pdf").status_code == 201
    missing = people["supplier"].send("POST", f"/api/supplier/bookings/{DEMO_ASSIGNED}/work",
                                      files={"other": ("a.png", PNG, "image/png")})
    assert missing.status_code == 400
    not_multipart = people["supplier"].send("POST", f"/api/supplier/bookings/{DEMO_ASSIGNED}/work", json={"file": "x"})
    assert not_multipart.status_code == 415
    big = upload(people["supplier"], DEMO_ASSIGNED, PNG + b"\x00" * (21 * 1024 * 1024))
    assert big.status_code == 413
    assert int(stack.psql("SELECT count(*) FROM documents")) == int(before) + 1


def test_suppliers_list_exactly_their_assigned_bookings(stack, people):
    supplier_user = stack.psql("SELECT id FROM users WHERE email = 'supplier@demo.test'")
    assigned = set(stack.psql(f"SELECT DISTINCT booking_id FROM booking_assignments WHERE user_id = '{supplier_user}'")
                   .splitlines())
    listed = {b["id"] for b in people["supplier"].get("/api/supplier/bookings").json()["data"]["items"]}
    assert listed == assigned and DEMO_ASSIGNED in listed
    assert people["supplier"].get(f"/api/supplier/bookings/{DEMO_ASSIGNED}").status_code == 200
    assert people["supplier"].get(f"/api/supplier/bookings/{DEMO_OTHER}").status_code == 404
    assert people["customer"].get("/api/supplier/bookings").status_code == 403
