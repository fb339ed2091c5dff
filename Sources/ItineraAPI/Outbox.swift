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
        try connection.query(
            """
            INSERT INTO outbox_events (team_id, type, aggregate_id, payload) VALUES ($1, $2, $3, $4::jsonb)
            """,
            [teamId, type, aggregateId, String(decoding: JSONWriter.bytes(.object(payload)), as: UTF8.self)],
            context: "writing an outbox event")
        try connection.query("SELECT pg_notify($1, $2)", [channel, type], context: "notifying the worker")
    }
}
