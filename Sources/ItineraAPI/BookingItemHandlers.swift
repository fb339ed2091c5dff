import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// A booking's items after it was made. What is sold (which items, their quantities and prices)
/// changes until the booking is paid for (`payment_pending` at the latest, and then never below what
/// its payments hold); an item's description and times (a rescheduled flight) and what its supplier
/// said (status, reference) change until the booking is closed. Every change answers
/// the booking, whose total stays the sum of its items and whose version moves on; `If-Match`, when
/// sent, must be the current version (412 otherwise).
enum BookingItemHandlers {
    static let supplierStatuses: Set<String> = ["pending", "requested", "confirmed", "declined", "cancelled"]
    /// The columns that make the price; the others change after payment too.
    static let priceColumns: Set<String> = ["quantity", "unit_price_minor"]
    /// The columns of what the booking holds: a change to one tells the customer and the assigned
    /// suppliers (`booking.items_changed`); the supplier's own answer tells no one.
    static let toldColumns: Set<String> = ["description", "starts_at", "ends_at", "quantity", "unit_price_minor"]

    /// An item change the worker tells the booking's people about.
    struct Change {
        let kind: String
        let description: String
        let starts: String?
    }

    /// Queues `booking.items_changed` for `change` of booking `bookingId` (`reference`, `status`): the
    /// worker tells the assigned suppliers and, in the states customers see, the customer logins.
    static func tell(
        _ change: Change, reference: String, status: BookingStatus?, _ bookingId: UUID, _ scope: RequestScope,
        _ connection: PostgresConnection
    ) throws {
        var payload: [String: JSONValue] = [
            "booking_id": .string(bookingId.lowercased), "change": .string(change.kind),
            "booking_reference": .string(reference), "item_description": .string(change.description),
            "actor_user_id": try scope.caller.userId.map { .string($0.lowercased) } ?? .null,
            "customer_visible": .string(String(status.map(Lifecycle.customerVisible.contains) ?? false)),
        ]
        if let starts = change.starts { payload["item_starts"] = .string(starts) }
        Outbox.enqueue(
            connection, teamId: try scope.caller.teamId, type: "booking.items_changed", aggregateId: bookingId,
            payload: payload)
    }

    /// The change `kind` of item `id` as it stands in the database; its start only when that is news
    /// (`withStart`: an added item, a new start).
    private static func change(_ kind: String, of id: UUID, withStart: Bool, _ connection: PostgresConnection) throws
        -> Change
    {
        let item = try connection.query(
            """
            SELECT description, to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS starts
            FROM booking_items WHERE id = $1
            """, [id], context: "describing a booking item")
        return Change(
            kind: kind, description: item.first("description") ?? "an item",
            starts: withStart ? item.first("starts") : nil)
    }

    /// `POST /api/bookings/{id}/items` with one item as in `POST /api/bookings` → 201 with the booking.
    /// Honours `Idempotency-Key`.
    static func add(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let item = try scope.request.decodeJSON(BookingHandlers.CreateBody.Item.self)
        var check = Validation()
        _ = item.validate(&check, field: nil)
        try check.finish()
        let caller = try scope.caller
        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/bookings/{id}/items",
                request: scope.request, teamId: caller.teamId, connection
            ) { (201, try insert(item, into: bookingId, scope, connection)) }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    private static func insert(
        _ item: BookingHandlers.CreateBody.Item, into bookingId: UUID, _ scope: RequestScope,
        _ connection: PostgresConnection
    ) throws -> String {
        let caller = try scope.caller
        let status = try lockBooking(bookingId, scope, connection, pricing: true)
        let count = try connection.query(
            "SELECT count(*) AS n, coalesce(max(position) + 1, 0) AS next FROM booking_items WHERE booking_id = $1",
            [bookingId], context: "counting a booking's items")
        guard (count.first("n").flatMap(Int.init) ?? 0) < BookingHandlers.maxItems else {
            throw APIError.validation(["items": "at most \(BookingHandlers.maxItems) items"])
        }
        let position = count.first("next").flatMap(Int.init) ?? 0
        let id = try item.insert(connection, teamId: caller.teamId, bookingId: bookingId, position: position)
        let told = try id.flatMap(UUID.init(parsing:)).map {
            try change("added", of: $0, withStart: true, connection)
        }
        return try finish(
            bookingId, action: "booking_item.create", itemId: id ?? "", departure: true,
            payments: status == .paymentPending, told: told,
            history: ["item": .string(told?.description ?? item.description)], scope,
            connection)
    }

    /// `PATCH /api/bookings/{id}/items/{itemId}` `{description?, startsAt?, endsAt?, quantity?,
    /// unitPriceMinor?, supplierId?, supplierStatus?, supplierReference?}` → the booking.
    static func update(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let itemId = try scope.pathId("booking item", parameter: "itemId")
        var update = try PartialUpdate(
            scope.request,
            editable: [
                "description", "startsAt", "endsAt", "quantity", "unitPriceMinor", "supplierId", "supplierStatus",
                "supplierReference",
            ])
        update.text("description", "description", 1...500, required: true)
        update.date("startsAt", "starts_at")
        update.date("endsAt", "ends_at")
        update.integer("quantity", "quantity", 1...10_000)
        update.amount("unitPriceMinor", "unit_price_minor", max: 1_000_000_000_000)
        _ = update.uuid("supplierId", "supplier_id")  // another team's supplier: the team foreign key
        update.oneOf("supplierStatus", "supplier_status", supplierStatuses)
        update.text("supplierReference", "supplier_reference", 1...100)
        try update.check.finish()
        let statement = update.reportingStatement(table: "booking_items", id: itemId, returning: "id", touch: false)
        let json = try scope.transaction { connection -> String in
            let pricing = !update.columnNames.isDisjoint(with: priceColumns)
            let status = try lockBooking(bookingId, scope, connection, pricing: pricing)
            let before = try requireItem(itemId, of: bookingId, connection)
            // What the edit changed, not what it sent: the same value again is no news and no history.
            let columns = PartialUpdate.columns(
                try connection.query(statement.sql, statement.parameters, context: "editing a booking item")
                    .first("changed_columns"))
            try forgetOldSuppliersAnswer(itemId, before: before.supplierId, update, connection)
            // Described only when the edit changed something: what changed is what is told and kept.
            let changed =
                columns.isEmpty
                ? nil : try change("changed", of: itemId, withStart: columns.contains("starts_at"), connection)
            return try finish(
                bookingId, action: "booking_item.update", itemId: itemId.lowercased,
                departure: columns.contains("starts_at"), payments: pricing && status == .paymentPending,
                told: columns.isDisjoint(with: toldColumns) ? nil : changed,
                history: changed.map {
                    [
                        "item": .string($0.description),
                        "from": $0.description == before.description ? .null : .string(before.description),
                        "fields": .array(columns.sorted().map(JSONValue.string)),
                    ]
                }, scope, connection)
        }
        return scope.ok(jsonText: json)
    }

    /// `DELETE /api/bookings/{id}/items/{itemId}` → the booking without the item.
    static func remove(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let itemId = try scope.pathId("booking item", parameter: "itemId")
        let json = try scope.transaction { connection -> String in
            let status = try lockBooking(bookingId, scope, connection, pricing: true)
            try requireItem(itemId, of: bookingId, connection)
            let told = try change("removed", of: itemId, withStart: false, connection)
            try connection.query(
                "DELETE FROM booking_items WHERE id = $1", [itemId], context: "removing a booking item")
            return try finish(
                bookingId, action: "booking_item.delete", itemId: itemId.lowercased, departure: true,
                payments: status == .paymentPending, told: told, history: ["item": .string(told.description)], scope,
                connection)
        }
        return scope.ok(jsonText: json)
    }

    /// Locks the booking and checks `If-Match` and its status: a change to the price needs a
    /// booking not yet paid for (409 `booking_priced`), any change one that is not closed (409
    /// `booking_closed`). Its status.
    @discardableResult
    static func lockBooking(
        _ id: UUID, _ scope: RequestScope, _ connection: PostgresConnection, pricing: Bool
    ) throws -> BookingStatus {
        let row = try connection.query(
            "SELECT status, version FROM bookings WHERE id = $1 FOR UPDATE", [id], context: "locking a booking")
        guard let status = row.first("status").flatMap(BookingStatus.init(rawValue:)) else {
            throw APIError.notFound("No such booking.")
        }
        if let sent = try BookingHandlers.ifMatchVersion(scope.request), String(sent) != row.first("version") {
            throw BookingHandlers.versionConflict(sent: sent, current: row.first("version") ?? "")
        }
        if Lifecycle.closed.contains(status) {
            throw APIError.bookingClosed(status, "A \(status.rawValue) booking's items stay as they are.")
        }
        if pricing && !Lifecycle.awaitingPayment.contains(status) {
            throw APIError(
                status: 409, code: "booking_priced",
                message:
                    "A booking in \(status.rawValue) is past payment: its items, quantities and prices stay; "
                    + "descriptions, times and the supplier's answers still change.")
        }
        return status
    }

    /// While payment is awaited the total stays above zero and not below what the payments hold,
    /// captured or in an open checkout (409 `total_below_payments`); once captured money covers it,
    /// the booking is confirmed as a capture would confirm it. What payments hold is net of refunds,
    /// as the ledger counts it (`PaymentLedger.LockedBooking.heldMinor`).
    private static func keepPaymentsCovered(
        _ bookingId: UUID, _ scope: RequestScope, _ connection: PostgresConnection
    ) throws {
        let ledger = try PaymentLedger.lockBooking(bookingId, connection)
        let held = ledger.heldMinor + ledger.openMinor
        guard ledger.totalMinor >= held, ledger.totalMinor > 0 else {
            throw APIError(
                status: 409, code: "total_below_payments",
                message:
                    "Payments hold \(CurrencyCodes.amountText(held, ledger.currency)) of this booking; its total "
                    + "cannot go below that (it would be \(CurrencyCodes.amountText(ledger.totalMinor, ledger.currency))).",
                details: .object(["totalMinor": .integer(ledger.totalMinor), "heldMinor": .integer(held)]))
        }
        guard ledger.heldMinor > 0 else { return }
        _ = try PaymentLedger.confirmBookingIfCovered(
            bookingId, scope: scope, idempotencyKey: "items-\(scope.request.requestId)", connection,
            actor: ("user", try scope.caller.userId?.lowercased))
    }

    /// An item handed to another supplier has no answer from it yet: its status goes back to
    /// `pending` and the old supplier's reference goes, unless the same edit sets them.
    private static func forgetOldSuppliersAnswer(
        _ itemId: UUID, before supplierId: String?, _ update: PartialUpdate, _ connection: PostgresConnection
    ) throws {
        guard update.columnNames.contains("supplier_id") else { return }
        try connection.query(
            """
            UPDATE booking_items SET supplier_status = CASE WHEN $3 THEN supplier_status ELSE 'pending' END,
                   supplier_reference = CASE WHEN $4 THEN supplier_reference END
            WHERE id = $1 AND supplier_id IS DISTINCT FROM $2::uuid
            """,
            [
                itemId, supplierId, update.columnNames.contains("supplier_status"),
                update.columnNames.contains("supplier_reference"),
            ], context: "clearing the old supplier's answer")
    }

    /// Locks item `id` of the booking; its description and supplier (404 when the booking has no such item).
    @discardableResult
    private static func requireItem(_ id: UUID, of bookingId: UUID, _ connection: PostgresConnection) throws
        -> (description: String, supplierId: String?)
    {
        let found = try connection.query(
            "SELECT description, supplier_id FROM booking_items WHERE id = $1 AND booking_id = $2 FOR UPDATE",
            [id, bookingId], context: "finding a booking item")
        guard let description = found.first("description") else { throw APIError.notFound("No such booking item.") }
        return (description, found.first("supplier_id"))
    }

    /// The booking's total follows its items, and so does its departure when items or their starts
    /// changed (`departure`; it stays when no item has a start); with `payments` the new total is
    /// checked against them; its version moves on; the answer is the booking as `GET` shows it.
    private static func finish(
        _ bookingId: UUID, action: String, itemId: String, departure: Bool, payments: Bool = false,
        told change: Change?, history: [String: JSONValue]?, _ scope: RequestScope, _ connection: PostgresConnection
    ) throws -> String {
        let booking = try connection.query(
            """
            UPDATE bookings b SET
                total_minor = coalesce((SELECT sum(i.total_minor) FROM booking_items i WHERE i.booking_id = b.id), 0),
                departure_at = CASE WHEN $2 THEN coalesce(
                    (SELECT min(i.starts_at) FROM booking_items i WHERE i.booking_id = b.id), b.departure_at)
                    ELSE b.departure_at END,
                version = b.version + 1, updated_at = now()
            WHERE b.id = $1
            RETURNING b.booking_reference, b.status
            """, [bookingId, departure], context: "totalling a booking")
        if payments { try keepPaymentsCovered(bookingId, scope, connection) }
        if let change {
            try tell(
                change, reference: booking.first("booking_reference") ?? "",
                status: booking.first("status").flatMap(BookingStatus.init(rawValue:)), bookingId, scope, connection)
        }
        if let history {
            try Audit.record(
                connection, scope, action: action, table: "booking_items", rowId: itemId, bookingId: bookingId,
                details: history)
        }
        return try BookingHandlers.detailJSON(bookingId, connection)
    }
}
