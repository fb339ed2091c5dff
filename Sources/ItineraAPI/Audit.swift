import Foundation
import ItineraHTTP
import ItineraStore

/// The append-only audit log: who did what, when, from where, to which row — and, for a change to
/// a booking or what hangs off it, to which booking (its history, `BookingHistory`).
enum Audit {
    static func record(
        _ connection: PostgresConnection, _ request: Request, teamId: UUID?, actorType: String, userId: UUID?,
        action: String, table: String? = nil, rowId: String? = nil, bookingId: UUID? = nil,
        details: [String: JSONValue] = [:]
    ) throws {
        try connection.query(
            """
            INSERT INTO audit_log (team_id, actor_type, actor_user_id, action, target_table, target_id, ip,
                                   request_id, details, booking_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
            """,
            [
                teamId, actorType, userId, action, table, rowId, request.remoteAddress, request.requestId,
                String(decoding: JSONWriter.bytes(.object(details)), as: UTF8.self), bookingId,
            ], context: "writing the audit log")
    }

    /// Records `action` by the caller of `scope` in its team.
    static func record(
        _ connection: PostgresConnection, _ scope: RequestScope, action: String, table: String? = nil,
        rowId: String? = nil, bookingId: UUID? = nil, details: [String: JSONValue] = [:]
    ) throws {
        let caller = try scope.caller
        try record(
            connection, scope.request, teamId: caller.teamId, actorType: caller.actorType, userId: caller.userId,
            action: action, table: table, rowId: rowId, bookingId: bookingId, details: details)
    }
}
