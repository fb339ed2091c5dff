import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Writes follow-up work into `outbox_events` inside the caller's transaction; `itinera worker`
/// picks it up after COMMIT (woken by a NOTIFY sent right after it, see `Database.transaction`).
enum Outbox {
    /// Writes one outbox event, and asks for the worker's NOTIFY after COMMIT; `change`, a
    /// data-modifying statement without RETURNING that numbers its parameters from `$1`, is made in
    /// the same statement. The statement is queued (`PostgresConnection.queue`): it travels with the
    /// transaction's next statement or its COMMIT, so a row and the work it causes cost no round trip.
    static func enqueue(
        _ connection: PostgresConnection, teamId: UUID, type: String, aggregateId: UUID, payload: [String: JSONValue],
        alongside change: SQLStatement? = nil
    ) {
        let first = (change?.parameters.count ?? 0) + 1
        let (team, kind, aggregate, body) = ("$\(first)", "$\(first + 1)", "$\(first + 2)", "$\(first + 3)")
        connection.queue(
            (
                """
                \(change.map { "WITH change AS (\($0.sql)) " } ?? "")INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
                VALUES (\(team), \(kind), \(aggregate), \(body)::jsonb)
                """,
                (change?.parameters ?? [])
                    + [teamId, type, aggregateId, String(decoding: JSONWriter.bytes(.object(payload)), as: UTF8.self)]
            ), context: "writing an outbox event")
        connection.notifyAfterCommit(channel: OutboxWakeUp.channel, payload: type)
    }
}
