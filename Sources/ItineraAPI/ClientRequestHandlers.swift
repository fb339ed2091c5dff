import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// What customers and partner systems start: a booking request from the client portal, and the
/// partner call that reports a client's change made in a portal living elsewhere.
enum ClientRequestHandlers {
    struct RequestBody: Decodable {
        let notes: String?
        let currency: String?
    }

    /// `POST /api/customer/bookings {notes?, currency?}`: a booking request from the client portal for
    /// the customer linked to this login → the team's staff get `booking_created`.
    static func requestBooking(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(RequestBody.self)
        var check = Validation()
        let notes = check.text(body.notes, "notes", 1...4000)
        let currency = body.currency.map { check.currency($0, "currency") } ?? "EUR"
        try check.finish()
        let answer = try scope.transaction { connection in
            // Per login, not only per team: the stored answer is this customer's booking.
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"],
                scope: "POST /api/customer/bookings \(caller.userId?.lowercased ?? "")", request: scope.request,
                teamId: caller.teamId, connection
            ) {
                // RLS shows a customer user only the customer row linked to their login.
                guard
                    let customerId = try connection.query(
                        "SELECT id FROM customers WHERE user_id = $1", [caller.userId], context: "finding the customer"
                    ).first("id").flatMap(UUID.init(parsing:))
                else {
                    throw APIError(status: 403, code: "no_customer", message: "This login is not linked to a customer.")
                }
                var reference = ""
                var bookingId: UUID?
                for _ in 0..<8 where bookingId == nil {
                    reference = BookingHandlers.reference()
                    bookingId = try connection.query(
                        """
                        INSERT INTO bookings (team_id, booking_reference, customer_id, status, currency, notes, created_by)
                        VALUES ($1, $2, $3, 'booking_created', $4, $5, $6)
                        ON CONFLICT (team_id, booking_reference) DO NOTHING
                        RETURNING id
                        """, [caller.teamId, reference, customerId, currency, notes, caller.userId],
                        context: "creating a booking request"
                    ).first("id").flatMap(UUID.init(parsing:))
                }
                guard let bookingId else {
                    throw APIError(status: 503, code: "reference_exhausted", message: "Try again.")
                }
                try LifecycleHandlers.recordEvent(
                    connection, scope: scope, bookingId: bookingId, from: nil, to: .bookingCreated,
                    actorType: "customer",
                    actorId: caller.userId?.lowercased, note: "requested in the client portal", metadata: [:],
                    idempotencyKey: nil)
                try Notifications.toTeam(
                    .init(
                        type: "booking_created", title: "New booking \(reference)", message: notes ?? "",
                        linkPath: "/booking/\(bookingId.lowercased)", linkId: bookingId,
                        metadata: ["booking_id": .string(bookingId.lowercased)]),
                    teamId: caller.teamId, actor: caller.userId, connection)
                Outbox.enqueue(
                    connection, teamId: caller.teamId, type: "booking.created", aggregateId: bookingId,
                    payload: ["booking_id": .string(bookingId.lowercased), "status": .string("booking_created")])
                return (201, try BookingHandlers.detailJSON(bookingId, connection, viewer: .customer))
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    struct PartnerBody: Decodable {
        let bookingId: String?
    }

    /// `POST /api/notifications/booking-updated-by-client {bookingId}` (signed partner call): the same
    /// notification a save in our client portal raises. Unknown or another team's booking → 404.
    static func partnerClientUpdate(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(PartnerBody.self, unknownMembers: .ignore)
        guard let bookingId = body.bookingId.flatMap(UUID.init(parsing:)) else {
            throw APIError.validation(["bookingId": "must be a booking id"])
        }
        try scope.transaction { connection in
            guard
                let reference = try connection.query(
                    "SELECT booking_reference FROM bookings WHERE id = $1", [bookingId], context: "finding the booking"
                ).first("booking_reference")
            else { throw APIError.notFound("No such booking.") }
            try Notifications.toTeam(
                TravelerHandlers.clientUpdate(bookingId: bookingId, reference: reference), teamId: caller.teamId,
                actor: nil,
                connection)
            try Audit.record(
                connection, scope, action: "partner.booking_updated_by_client", table: "bookings",
                rowId: bookingId.lowercased, bookingId: bookingId)
        }
        return Envelope.success(
            json: .object(["notified": .bool(true)]), status: 202, requestId: scope.request.requestId)
    }
}
