import Foundation
import ItineraHTTP
import ItineraStore

/// Publishes notification events to nginx's nchan publisher (a unix socket only the server can
/// reach), which holds every browser's event stream. Every user has one channel, `u-{user}`: a
/// personal notification goes to its recipient's with their unread count, a team notification to
/// each admin's and staff member's except the actor's with `unread: null` (counting for every member
/// would cost the worker a scan of the team's notifications per member; browsers count up).
/// When a session or token ends (`live.streams_ended`) the user's channel is deleted, which closes
/// the streams nginx holds for it.
/// Without `ITINERA_NCHAN_PUBLISH_SOCKET` (no nchan on this host) nothing is published and browsers
/// poll the unread count instead.
struct LivePublisher: OutboxHandler {
    let name = "live.publish"
    let socket: String

    init(socket: String) {
        self.socket = socket
    }

    func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        switch event.type {
        case "notification.created":
            guard let id = event.aggregateId else { return }
            let row = try connection.query(
                """
                SELECT n.team_id, n.recipient_user_id,
                       json_build_object('id', n.id, 'type', n.type, 'title', n.title, 'message', n.message,
                           'link_path', n.link_path, 'link_id', n.link_id, 'metadata', n.metadata,
                           'actor_user_id', n.actor_user_id, 'created_at', n.created_at, 'read_at', NULL,
                           'scope', CASE WHEN n.recipient_user_id IS NULL THEN 'team' ELSE 'user' END)::text AS json
                FROM notifications n WHERE n.id = $1
                """, [id], context: "loading a notification to publish")
            guard let json = row.first("json"), let team = row.first("team_id") else { return }
            if let user = row.first("recipient_user_id") {
                let unread = try unreadCount(user: user, team: team, connection)
                try publish(
                    "notification", channel: "u-\(user)", data: "{\"notification\":\(json),\"unread\":\(unread)}")
            } else {
                for user in try staffRecipients(of: id, team: team, connection) {
                    try publish(
                        "notification", channel: "u-\(user)", data: "{\"notification\":\(json),\"unread\":null}")
                }
            }
        case "notification.updated", "notification.deleted":
            guard let user = event.payload["user_id"], let team = event.payload["team_id"] else { return }
            let unread = try unreadCount(user: user, team: team, connection)
            let id = event.payload["notification_id"].map { "\"\($0)\"" } ?? "null"
            if event.type == "notification.deleted" {
                try publish("notification-delete", channel: "u-\(user)", data: "{\"id\":\(id),\"unread\":\(unread)}")
            } else {
                let readAt = event.payload["read_at"].map { "\"\($0)\"" } ?? "null"
                try publish(
                    "notification-update", channel: "u-\(user)",
                    data: "{\"id\":\(id),\"read_at\":\(readAt),\"unread\":\(unread)}")
            }
        case "live.streams_ended":
            guard let user = event.payload["user_id"] else { return }
            try endStreams(channel: "u-\(user)")
        default:
            return
        }
    }

    /// Deletes the user's channel: nchan closes its streams (`:410 Gone`), the browsers reconnect
    /// with `Last-Event-ID`, and only credentials still valid are let back in. 404: nobody listens.
    private func endStreams(channel: String) throws {
        let status = try HTTPClient.shared.send(
            "DELETE", "http://localhost/pub/\(channel)", unixSocket: socket
        ).status
        guard (200..<300).contains(status) || status == 404 else {
            throw HandlerFailure("nchan answered HTTP \(status) deleting \(channel)")
        }
    }

    /// The team's admins and staff except the notification's actor.
    private func staffRecipients(of notification: UUID, team: String, _ connection: PostgresConnection) throws
        -> [String]
    {
        try connection.query(
            """
            SELECT m.user_id FROM memberships m
            WHERE m.team_id = $2::uuid AND m.role IN ('admin', 'staff')
              AND m.user_id IS DISTINCT FROM (SELECT actor_user_id FROM notifications WHERE id = $1)
            """, [notification, team], context: "finding a team notification's recipients"
        ).rows.compactMap { $0[0] }
    }

    private func unreadCount(user: String, team: String, _ connection: PostgresConnection) throws -> Int {
        Int(
            try connection.query(
                """
                SELECT count(*) AS unread
                FROM notifications n
                JOIN memberships m ON m.user_id = $1::uuid AND m.team_id = n.team_id
                LEFT JOIN notification_receipts r ON r.notification_id = n.id AND r.user_id = $1::uuid
                WHERE n.team_id = $2::uuid
                  AND (n.recipient_user_id = $1::uuid
                       OR (n.recipient_user_id IS NULL AND m.role IN ('admin', 'staff')
                           AND n.actor_user_id IS DISTINCT FROM $1::uuid))
                  AND r.read_at IS NULL AND r.deleted_at IS NULL
                """, [user, team], context: "counting unread notifications"
            ).first("unread") ?? "0") ?? 0
    }

    private func publish(_ eventName: String, channel: String, data: String) throws {
        let status = try HTTPClient.shared.send(
            "POST", "http://localhost/pub/\(channel)",
            headers: ["Content-Type: application/json", "X-EventSource-Event: \(eventName)"], body: Array(data.utf8),
            unixSocket: socket
        ).status
        guard (200..<300).contains(status) else { throw HandlerFailure("nchan answered HTTP \(status) for \(channel)") }
    }
}
