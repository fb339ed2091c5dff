import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// A notification the worker raises itself, to its `Audience`: the team's staff (recipient NULL;
/// the actor does not see their own), every portal login of the booking's customer, and the
/// supplier users assigned to the booking, never the actor; each row with the
/// `notification.created` event that delivers it live, all in one statement. Every row carries a dedupe key made of `cause` and its recipient, so a second run for
/// the same cause (a re-run after a crash, or two workers after a lease ran out) raises nothing.
struct Notice {
    let type: String
    let title: String
    var message = ""
    let bookingId: UUID
    let metadata: [String: String]
    /// What the notification is about, unique per type: e.g. `event:<outbox event id>`.
    let cause: String

    struct Audience: OptionSet {
        let rawValue: Int
        static let team = Audience(rawValue: 1)
        static let customers = Audience(rawValue: 2)
        static let assignees = Audience(rawValue: 4)
    }

    func raise(teamId: UUID, actor: UUID?, to audience: Audience, _ connection: PostgresConnection) throws {
        let metadataJSON = String(
            decoding: JSONWriter.bytes(.object(metadata.mapValues(JSONValue.string))), as: UTF8.self)
        try connection.query(
            """
            WITH recipient AS MATERIALIZED (
                SELECT NULL::uuid AS user_id WHERE $10::boolean
                UNION ALL
                SELECT c.user_id FROM bookings b JOIN customers c ON c.id = b.customer_id
                WHERE $8::boolean AND b.id = $1::uuid AND b.team_id = $2::uuid AND c.user_id IS NOT NULL
                  AND c.user_id IS DISTINCT FROM $7::uuid
                UNION
                SELECT a.user_id FROM booking_assignments a
                WHERE $11::boolean AND a.booking_id = $1::uuid AND a.team_id = $2::uuid
                  AND a.user_id IS DISTINCT FROM $7::uuid
            ), raised AS (
                INSERT INTO notifications (id, team_id, recipient_user_id, type, title, message, link_path, link_id,
                                           metadata, actor_user_id, dedupe_key)
                SELECT gen_random_uuid(), $2::uuid, r.user_id, $3, $4, $5, '/booking/' || $1::uuid, $1::uuid,
                       $6::jsonb, $7::uuid, $9 || ':' || coalesce(r.user_id::text, 'team')
                FROM recipient r
                ON CONFLICT (team_id, type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
                RETURNING id, recipient_user_id
            )
            INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
            SELECT $2::uuid, 'notification.created', n.id,
                   jsonb_build_object('notification_id', n.id, 'recipient_user_id', n.recipient_user_id)
            FROM raised n
            """,
            [
                bookingId, teamId, type, title.prefix(codePoints: 200), message.prefix(codePoints: 2000), metadataJSON,
                actor,
                audience.contains(.customers), cause, audience.contains(.team), audience.contains(.assignees),
            ], context: "raising a \(type) notification")
        connection.notifyAfterCommit(channel: OutboxWakeUp.channel, payload: "notification.created")
    }
}
