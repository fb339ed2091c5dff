import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// A supplier's answer about the items it delivers: a supplier login assigned to a booking confirms,
/// declines or cancels the items of its own supplier and gives its reference (a confirmation number),
/// as staff would record it for them. Everything else about the item stays staff's; the database
/// holds suppliers to the same (migration 0021). Staff are told by the worker
/// (`booking.supplier_answered` → `supplier_answered`).
enum SupplierAnswerHandlers {
    static let answers: Set<String> = ["confirmed", "declined", "cancelled"]

    /// `PATCH /api/supplier/bookings/{id}/items/{itemId}` `{supplierStatus?, supplierReference?}` →
    /// the booking as the supplier sees it. 403 `not_your_item` for another supplier's item; 409
    /// `booking_closed` once the booking is completed, cancelled or refunded; `If-Match` optional.
    static func answer(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let itemId = try scope.pathId("booking item", parameter: "itemId")
        var update = try PartialUpdate(scope.request, editable: ["supplierStatus", "supplierReference"])
        update.oneOf("supplierStatus", "supplier_status", answers)
        update.text("supplierReference", "supplier_reference", 1...100)
        try update.check.finish()
        let statement = update.statement(
            table: "booking_items", id: itemId, returning: "supplier_status, supplier_reference", touch: false)
        let json = try scope.transaction { connection -> String in
            // The booking's lock orders this against staff editing its items. (A FOR UPDATE on the
            // item would not see another supplier's: row locks pass the UPDATE policies.)
            try BookingItemHandlers.lockBooking(bookingId, scope, connection, pricing: false)
            let item = try connection.query(
                """
                SELECT i.description, i.supplier_status, i.supplier_reference, coalesce(s.name, '') AS supplier,
                       s.id IS NOT NULL AS yours
                FROM booking_items i
                LEFT JOIN suppliers s ON s.id = i.supplier_id AND s.user_id = itinera_current_user()
                WHERE i.id = $1 AND i.booking_id = $2
                """, [itemId, bookingId], context: "finding a booking item")
            guard let description = item.first("description") else {
                throw APIError.notFound("No such booking item.")
            }
            guard item.first("yours") == "t" else {
                throw APIError(
                    status: 403, code: "not_your_item", message: "This item is another supplier's to answer.")
            }
            let before = Answer(
                status: item.first("supplier_status") ?? "", reference: item.first("supplier_reference"))
            let saved = try connection.query(
                statement.sql, statement.parameters, context: "recording a supplier's answer")
            let after = Answer(
                status: saved.first("supplier_status") ?? "", reference: saved.first("supplier_reference"))
            // The same answer again changes nothing and tells no one.
            if after != before {
                try announce(
                    bookingId, itemId: itemId, description: description, supplier: item.first("supplier") ?? "",
                    after, statusChanged: after.status != before.status, scope, connection)
                try Audit.record(
                    connection, scope, action: "booking_item.supplier_answer", table: "booking_items",
                    rowId: itemId.lowercased, bookingId: bookingId,
                    details: [
                        "item": .string(description), "supplier_status": .string(after.status),
                        "supplier_reference": after.reference.map(JSONValue.string) ?? .null,
                        "change": .string(after.status != before.status ? "status" : "reference"),
                    ])
            }
            return try connection.query(BookingQueries.supplierDetail, [bookingId], context: "loading a booking")
                .first("booking") ?? "null"
        }
        return scope.ok(jsonText: json)
    }

    struct Answer: Equatable {
        let status: String
        let reference: String?
    }

    /// Moves the booking's version on and queues the news for staff: a new status (`statusChanged`)
    /// or only a new reference, and whether this answer was the last confirmation missing among the
    /// items that have a supplier (the booking can then go to `supplier_confirmed`).
    private static func announce(
        _ bookingId: UUID, itemId: UUID, description: String, supplier: String, _ answer: Answer,
        statusChanged: Bool, _ scope: RequestScope, _ connection: PostgresConnection
    ) throws {
        let booking = try connection.query(
            """
            UPDATE bookings b SET version = b.version + 1, updated_at = now() WHERE b.id = $1
            RETURNING b.booking_reference,
                (SELECT bool_and(i.supplier_status = 'confirmed') FROM booking_items i
                 WHERE i.booking_id = b.id AND i.supplier_id IS NOT NULL) AS all_confirmed
            """, [bookingId], context: "recording a supplier's answer")
        let completed = statusChanged && answer.status == "confirmed" && booking.first("all_confirmed") == "t"
        Outbox.enqueue(
            connection, teamId: try scope.caller.teamId, type: "booking.supplier_answered", aggregateId: bookingId,
            payload: [
                "booking_id": .string(bookingId.lowercased),
                "booking_reference": .string(booking.first("booking_reference") ?? ""),
                "item_id": .string(itemId.lowercased), "item_description": .string(description),
                "supplier_name": .string(supplier), "supplier_status": .string(answer.status),
                "supplier_reference": .string(answer.reference ?? ""),
                "change": .string(statusChanged ? "status" : "reference"),
                "all_confirmed": .string(completed ? "true" : "false"),
                "actor_user_id": try scope.caller.userId.map { .string($0.lowercased) } ?? .null,
            ])
    }
}
