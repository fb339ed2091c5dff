import Foundation
import ItineraHTTP
import ItineraStore

/// Writes follow-up work into `outbox_events` inside the caller's transaction; `itinera worker`
/// picks it up after COMMIT (woken by the NOTIFY, which PostgreSQL delivers only on commit).
enum Outbox {
    static let channel = "itinera_outbox"

    /// Writes one outbox event and its NOTIFY (delivered at COMMIT) in one statement; `change`, a
    /// data-modifying statement without RETURNING that numbers its parameters from `$1`, is made in
    /// the same statement, so a row and the work it causes cost one round trip.
    static func enqueue(
        _ connection: PostgresConnection, teamId: UUID, type: String, aggregateId: UUID, payload: [String: JSONValue],
        alongside change: SQLStatement? = nil
    ) throws {
        let first = (change?.parameters.count ?? 0) + 1
        let (team, kind, aggregate, body, channelName) = (
            "$\(first)", "$\(first + 1)", "$\(first + 2)", "$\(first + 3)", "$\(first + 4)"
        )
        try connection.query(
            """
            WITH \(change.map { "change AS (\($0.sql)), " } ?? "")event AS (
                INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
                VALUES (\(team), \(kind), \(aggregate), \(body)::jsonb)
            )
            SELECT pg_notify(\(channelName), \(kind))
            """,
            (change?.parameters ?? [])
                + [
                    teamId, type, aggregateId, String(decoding: JSONWriter.bytes(.object(payload)), as: UTF8.self),
                    channel,
                ],
            context: "writing an outbox event")
    }
}
