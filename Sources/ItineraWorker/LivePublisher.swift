import Foundation
import ItineraHTTP
import ItineraStore

/// Publishes notification events to nginx's nchan publisher (a unix socket only the server can
/// reach), which holds every browser's event stream. Team notifications go once to the team
/// channel `t-{team}`, a user's to `u-{user}`: a subscriber of both never gets one twice.
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
                // Counts differ per member: the team channel carries the notification, browsers count up.
                try publish("notification", channel: "t-\(team)", data: "{\"notification\":\(json),\"unread\":null}")
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
        default:
            return
        }
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
