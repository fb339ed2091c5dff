import Foundation
import ItineraHTTP
import ItineraStore

/// Writes follow-up work into `outbox_events` inside the caller's transaction; `itinera worker`
/// picks it up after COMMIT (woken by the NOTIFY, which PostgreSQL delivers only on commit).
enum Outbox {
    static let channel = "itinera_outbox"

    static func enqueue(
        _ connection: PostgresConnection, teamId: UUID, type: String, aggregateId: UUID, payload: [String: JSONValue]
    ) throws {
        // One round trip: the row and the NOTIFY (delivered at COMMIT) in one statement.
        try connection.query(
            """
            WITH event AS (
                INSERT INTO outbox_events (team_id, type, aggregate_id, payload) VALUES ($1, $2, $3, $4::jsonb)
            )
            SELECT pg_notify($5, $2)
            """,
            [teamId, type, aggregateId, String(decoding: JSONWriter.bytes(.object(payload)), as: UTF8.self), channel],
            context: "writing an outbox event")
    }
}
