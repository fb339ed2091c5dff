import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Raises notifications server-side, inside the transaction of the change that causes them (never
/// on a browser's say-so), and queues their live delivery through the outbox.
enum Notifications {
    struct Draft {
        let type: String
        let title: String
        var message = ""
        var linkPath: String?
        var linkId: UUID?
        var metadata: [String: JSONValue] = [:]
        var dedupeKey: String?

        /// The values of `type, title, message, link_path, link_id, metadata`, in that order, cut to
        /// the columns' limits.
        var columns: [(any SQLParameter)?] {
            [
                type, title.prefix(codePoints: 200), message.prefix(codePoints: 2000), linkPath, linkId,
                String(decoding: JSONWriter.bytes(.object(metadata)), as: UTF8.self),
            ]
        }
    }

    /// To every staff member of the team (recipient NULL); the actor does not see their own.
    static func toTeam(_ draft: Draft, teamId: UUID, actor: UUID?, _ connection: PostgresConnection) throws {
        try insert(draft, teamId: teamId, recipient: nil, actor: actor, connection)
    }

    /// To one user, unless that user is the actor.
    static func toUser(_ draft: Draft, user: UUID, teamId: UUID, actor: UUID?, _ connection: PostgresConnection) throws
    {
        guard user != actor else { return }
        try insert(draft, teamId: teamId, recipient: user, actor: actor, connection)
    }

    private static func insert(
        _ draft: Draft, teamId: UUID, recipient: UUID?, actor: UUID?, _ connection: PostgresConnection
    ) throws {
        // The id is made here and no RETURNING or ON CONFLICT is used for plain notifications: both
        // would make PostgreSQL check the row against the caller's SELECT policy, and the caller is
        // often not a recipient.
        let id = UUID()
        let row: SQLStatement = (
            sql: """
            INSERT INTO notifications (id, team_id, recipient_user_id, type, title, message, link_path, link_id,
                                       metadata, actor_user_id, dedupe_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
            """,
            parameters: [id, teamId, recipient] + draft.columns + [actor, draft.dedupeKey]
        )
        let delivery: [String: JSONValue] = [
            "notification_id": .string(id.lowercased),
            "recipient_user_id": recipient.map { .string($0.lowercased) } ?? .null,
        ]
        guard draft.dedupeKey != nil else {
            // The usual case: the row and its delivery event in one statement.
            Outbox.enqueue(
                connection, teamId: teamId, type: "notification.created", aggregateId: id, payload: delivery,
                alongside: row)
            return
        }
        // Deduplicated types go through the arbiter index; only a row actually inserted is delivered.
        let inserted = try connection.query(
            row.sql + " ON CONFLICT (team_id, type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING",
            row.parameters, context: "raising a notification")
        guard inserted.affectedRows == 1 else { return }
        Outbox.enqueue(
            connection, teamId: teamId, type: "notification.created", aggregateId: id, payload: delivery)
    }

    /// To every portal login of the booking's customer except the actor, each with its delivery
    /// event, in one queued statement (`draft` without a dedupe key). The logins are read as the
    /// owner of the change: any caller may cause a notification to them.
    static func toCustomers(
        _ draft: Draft, bookingId: UUID, teamId: UUID, actor: UUID?, _ connection: PostgresConnection
    ) {
        connection.queue(
            (
                """
                WITH recipient AS MATERIALIZED (
                    SELECT gen_random_uuid() AS id, user_id FROM itinera_booking_customer_users($1)
                    WHERE user_id IS DISTINCT FROM $9
                ), raised AS (
                    INSERT INTO notifications (id, team_id, recipient_user_id, type, title, message, link_path,
                                               link_id, metadata, actor_user_id)
                    SELECT r.id, $2, r.user_id, $3, $4, $5, $6, $7, $8::jsonb, $9 FROM recipient r
                )
                INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
                SELECT $2, 'notification.created', r.id,
                       jsonb_build_object('notification_id', r.id, 'recipient_user_id', r.user_id)
                FROM recipient r
                """,
                [bookingId, teamId] + draft.columns + [actor]
            ), context: "raising notifications to the customer")
        connection.notifyAfterCommit(channel: OutboxWakeUp.channel, payload: "notification.created")
    }
}
