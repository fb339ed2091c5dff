import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// `POST /api/core/booking-lifecycle`: moves a booking to its next status under the lifecycle rules.
enum LifecycleHandlers {
    struct Body: Decodable {
        let bookingId: String?
        let toStatus: String?
        let actorType: String?
        let actorId: String?
        let note: String?
        let idempotencyKey: String?
        let metadata: [String: JSONValue]?
    }

    /// In one transaction: lock the booking, check the rule, update the status, append the event,
    /// write the outbox event. `payment_confirmed` only when the payments cover the total (409
    /// `payment_outstanding`). 409 `invalid_transition` with `details.allowed`; 404 for a booking
    /// that is not the caller's team's; the same `idempotencyKey` answers the first answer again.
    static func transition(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(Body.self)
        var check = Validation()
        let bookingId = check.uuid(body.bookingId, "bookingId")
        let target = body.toStatus.flatMap(BookingStatus.init(rawValue:))
        check.check(body.toStatus != nil, "toStatus", "is required")
        check.check(
            body.toStatus == nil || target != nil, "toStatus",
            "must be one of \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        let note = check.text(body.note, "note", 1...2000)
        try check.finish()
        try requireCallerAsActor(body, caller)
        let key = body.idempotencyKey ?? scope.request.headers["idempotency-key"]

        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: key, scope: "POST /api/core/booking-lifecycle", request: scope.request, teamId: caller.teamId,
                connection
            ) {
                if target == .paymentConfirmed { try PaymentLedger.requireCovered(bookingId!, connection) }
                let event = try move(
                    connection, scope: scope, bookingId: bookingId!, to: target!, actorType: "user",
                    actorId: caller.userId?.lowercased, note: note, metadata: body.metadata ?? [:],
                    idempotencyKey: key)
                // Without a key no answer is stored after this read, so it can travel with COMMIT.
                let booking =
                    key == nil
                    ? try BookingHandlers.detailJSONCommitting(bookingId!, connection)
                    : try BookingHandlers.detailJSON(bookingId!, connection)
                return (200, "{\"booking\":\(booking),\"event\":\(event.json)}")
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    /// The timeline names who acted from the caller, never from the body: a signed-in user is `user`
    /// (`webhook` and `system` are the server's own moves). `actorType`/`actorId` may still be sent
    /// when they say exactly that; anything else is refused with 422 `actor_not_allowed`.
    static func requireCallerAsActor(_ body: Body, _ caller: Principal) throws {
        let ownId = caller.userId?.lowercased
        let typeIsCaller = body.actorType == nil || body.actorType == "user"
        let idIsCaller = body.actorId == nil || body.actorId?.lowercased() == ownId
        guard typeIsCaller && idIsCaller else {
            throw APIError(
                status: 422, code: "actor_not_allowed",
                message: "The actor of a move is the signed-in caller (actorType user); it cannot be chosen.",
                details: .object([
                    "actorType": .string("user"), "actorId": ownId.map(JSONValue.string) ?? .null,
                ]))
        }
    }

    /// The transition itself, inside the caller's transaction, in one statement: lock the booking,
    /// and if its status is one `target` may follow, update it and append the event. Then the outbox
    /// event (queued), from which the worker tells the team and the customer. Also used by the
    /// quotation and payment flows.
    @discardableResult
    static func move(
        _ connection: PostgresConnection, scope: RequestScope, bookingId: UUID, to target: BookingStatus,
        actorType: String, actorId: String?, note: String?, metadata: [String: JSONValue], idempotencyKey: String?
    ) throws -> (id: String, json: String) {
        let caller = try scope.caller
        let event = EventRow(
            scope: scope, bookingId: bookingId, to: target, actorType: actorType, actorId: actorId, note: note,
            metadata: metadata, idempotencyKey: idempotencyKey)
        // The lock is taken first; the UPDATE then re-reads the row it locked (READ COMMITTED), so
        // the status checked is the one the last committed transition left.
        let result = try connection.query(
            """
            WITH locked AS MATERIALIZED (
                SELECT id, status, booking_reference FROM bookings WHERE id = $2 FOR UPDATE
            ), moved AS (
                UPDATE bookings b SET status = $3, version = b.version + 1, updated_at = now()
                FROM locked WHERE b.id = locked.id AND locked.status = ANY($11::text[])
                RETURNING b.id
            ), \(EventRow.insert(from: "locked.status", source: "moved, locked"))
            SELECT locked.status, locked.booking_reference, e.id, \(BookingQueries.event)::text AS json
            FROM locked LEFT JOIN e ON true
            """, try event.parameters + [Lifecycle.sources(of: target).map(\.rawValue)],
            context: "moving a booking")
        guard let current = result.first("status").flatMap(BookingStatus.init(rawValue:)) else {
            throw APIError.notFound("No such booking.")
        }
        guard let eventId = result.first("id"), let eventJSON = result.first("json") else {
            throw APIError(
                status: 409, code: "invalid_transition",
                message: "A booking in \(current.rawValue) cannot move to \(target.rawValue).",
                details: .object([
                    "from": .string(current.rawValue), "to": .string(target.rawValue),
                    "allowed": .array(Lifecycle.allowed(from: current).map { .string($0.rawValue) }),
                ]))
        }
        let reference = result.first("booking_reference") ?? ""
        Outbox.enqueue(
            connection, teamId: caller.teamId, type: "booking.status_changed", aggregateId: bookingId,
            payload: [
                "booking_id": .string(bookingId.lowercased), "booking_reference": .string(reference),
                "from": .string(current.rawValue), "to": .string(target.rawValue), "event_id": .string(eventId),
                "actor_user_id": caller.userId.map { .string($0.lowercased) } ?? .null,
                "notification": .string("booking_status_changed"),
            ])
        return (eventId, eventJSON)
    }

    /// `GET /api/core/booking-lifecycle/rules`: every status and where it may go, for clients that
    /// show "the allowed next statuses" without restating the rules.
    static func rules(_ scope: RequestScope) throws -> Response {
        var rules: [String: JSONValue] = [:]
        for status in BookingStatus.allCases {
            rules[status.rawValue] = .array(Lifecycle.allowed(from: status).map { .string($0.rawValue) })
        }
        let order = JSONValue.array(BookingStatus.allCases.map { .string($0.rawValue) })
        let labels = JSONValue.object(
            Dictionary(uniqueKeysWithValues: BookingStatus.allCases.map { ($0.rawValue, .string($0.label)) }))
        return Envelope.success(
            json: .object(["statuses": order, "allowed": .object(rules), "labels": labels]),
            requestId: scope.request.requestId)
    }

    /// Appends one `booking_lifecycle_events` row with a known `from`; returns its id and JSON.
    @discardableResult
    static func recordEvent(
        _ connection: PostgresConnection, scope: RequestScope, bookingId: UUID, from: BookingStatus?, to: BookingStatus,
        actorType: String, actorId: String?, note: String?, metadata: [String: JSONValue], idempotencyKey: String?
    ) throws -> (id: String, json: String) {
        let event = EventRow(
            scope: scope, bookingId: bookingId, to: to, actorType: actorType, actorId: actorId, note: note,
            metadata: metadata, idempotencyKey: idempotencyKey)
        let result = try connection.query(
            "WITH \(EventRow.insert(from: "$11::text", source: nil)) SELECT e.id, \(BookingQueries.event)::text AS json FROM e",
            try event.parameters + [from?.rawValue], context: "recording a lifecycle event")
        return (result.first("id") ?? "", result.first("json") ?? "{}")
    }

    /// One `booking_lifecycle_events` row, written by a CTE named `e` (`insert`) whose parameters
    /// `$1…$10` are `parameters`; `from_status` is an SQL expression, so a transition can take it
    /// from the row it locked.
    struct EventRow {
        let scope: RequestScope
        let bookingId: UUID
        let to: BookingStatus
        let actorType: String
        let actorId: String?
        let note: String?
        let metadata: [String: JSONValue]
        let idempotencyKey: String?

        static func insert(from: String, source: String?) -> String {
            """
            e AS (
                INSERT INTO booking_lifecycle_events (team_id, booking_id, from_status, to_status, actor_type, actor_id,
                    recorded_by, note, metadata, idempotency_key, request_id)
                SELECT $1, $2, \(from), $3, $4, $5, $6, $7, $8::jsonb, $9, $10\(source.map { " FROM \($0)" } ?? "")
                RETURNING *
            )
            """
        }

        var parameters: [(any SQLParameter)?] {
            get throws {
                let caller = try scope.caller
                return [
                    caller.teamId, bookingId, to.rawValue, actorType, actorId, caller.userId, note,
                    String(decoding: JSONWriter.bytes(.object(metadata)), as: UTF8.self), idempotencyKey,
                    scope.request.requestId,
                ]
            }
        }
    }
}
