import Foundation
import ItineraHTTP
import ItineraStore

/// The bell: a user's own notifications (addressed to them, or to their team's staff), with
/// per-user read and delete state.
enum NotificationHandlers {
    /// What a user sees of a notification (`n` notifications, `r` the user's receipt).
    static let fields = """
        json_build_object('id', n.id, 'type', n.type, 'title', n.title, 'message', n.message,
            'link_path', n.link_path, 'link_id', n.link_id, 'metadata', n.metadata,
            'actor_user_id', n.actor_user_id, 'created_at', n.created_at, 'read_at', r.read_at,
            'scope', CASE WHEN n.recipient_user_id IS NULL THEN 'team' ELSE 'user' END)
        """

    /// `GET /api/notifications?unread=true&limit=&before=<id>`: newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let query = scope.request.query
        var check = Validation()
        let limit = query["limit"].map { Int($0) ?? -1 } ?? 20
        check.check((1...100).contains(limit), "limit", "must be from 1 to 100")
        let before = check.uuid(query["before"], "before", required: false)
        check.check(query["unread"].map { ["true", "false"].contains($0) } ?? true, "unread", "must be true or false")
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(fields)::text AS json, n.id
                FROM notifications n
                LEFT JOIN notification_receipts r ON r.notification_id = n.id AND r.user_id = $1
                WHERE r.deleted_at IS NULL
                  AND (NOT $2 OR r.read_at IS NULL)
                  AND ($3::uuid IS NULL OR (n.created_at, n.id) < (SELECT created_at, id FROM notifications WHERE id = $3))
                ORDER BY n.created_at DESC, n.id DESC
                LIMIT $4
                """, [caller.userId, query["unread"] == "true", before, limit + 1], context: "listing notifications"
            ).rows
        }
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.flatMap { $0[1] }.map { "\"\($0)\"" } ?? "null" : "null"
        return scope.ok(
            jsonText: "{\"items\":[\(page.compactMap { $0[0] }.joined(separator: ","))],\"nextCursor\":\(next)}")
    }

    /// `GET /api/notifications/stream`: authenticates, then hands the connection to nginx (nchan) with
    /// `X-Accel-Redirect` to the user's channel. No worker stays busy.
    static func stream(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        guard let userId = caller.userId else { throw APIError.unauthenticated }
        // nchan's subscriber answers a request that does not ask for an event stream with an empty
        // 403; say what is missing instead.
        guard scope.request.headers["accept"]?.lowercased().contains("text/event-stream") == true else {
            throw APIError(
                status: 406, code: "event_stream_only",
                message: "This is a server-sent event stream: send Accept: text/event-stream (EventSource does).")
        }
        if let lastEventId = scope.request.headers["last-event-id"], isTooOld(lastEventId) {
            // nchan keeps an hour of messages: a browser that has been away longer would silently miss
            // some. It is told to reload its list instead; the empty `id:` makes its reconnect start fresh.
            return Response(
                status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")],
                body: Array("retry: 1000\nid: \nevent: resync\ndata: {}\n\n".utf8))
        }
        // One channel per user: team notifications are published to each staff member's channel.
        return Response(
            status: 200,
            headers: [
                ("X-Accel-Redirect", "/internal/sub/u-\(userId.lowercased)"), ("X-Accel-Buffering", "no"),
                ("Cache-Control", "no-store"),
            ])
    }

    /// nchan ids start with the message's unix time (`1795326646:0`).
    static func isTooOld(_ lastEventId: String, now: Date = Date()) -> Bool {
        guard let seconds = lastEventId.split(separator: ":").first.flatMap({ Double($0) }) else { return false }
        return seconds < now.timeIntervalSince1970 - replayWindowSeconds
    }

    /// How long nchan keeps messages for replay (`nchan_message_timeout` in the nginx config).
    static let replayWindowSeconds: Double = 3600

    /// Tells the user's other tabs (over the live stream) that a notification changed.
    private static func announce(
        _ type: String, id: UUID?, readAt: String?, _ caller: Principal, _ connection: PostgresConnection
    ) throws {
        guard let userId = caller.userId else { return }
        var payload: [String: JSONValue] = [
            "user_id": .string(userId.lowercased), "team_id": .string(caller.teamId.lowercased),
        ]
        if let id { payload["notification_id"] = .string(id.lowercased) }
        if let readAt { payload["read_at"] = .string(readAt) }
        Outbox.enqueue(connection, teamId: caller.teamId, type: type, aggregateId: id ?? userId, payload: payload)
    }

    /// `GET /api/notifications/unread-count`.
    static func unreadCount(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let count = try scope.transaction { try unread(caller.userId, $0) }
        return Envelope.success(json: .object(["unread": .integer(Int64(count))]), requestId: scope.request.requestId)
    }

    static func unread(_ userId: UUID?, _ connection: PostgresConnection) throws -> Int {
        Int(
            try connection.query(
                """
                SELECT count(*) AS unread FROM notifications n
                LEFT JOIN notification_receipts r ON r.notification_id = n.id AND r.user_id = $1
                WHERE r.read_at IS NULL AND r.deleted_at IS NULL
                """, [userId], context: "counting unread notifications"
            ).first("unread") ?? "0") ?? 0
    }

    /// `PATCH /api/notifications/{id}/read` and `/unread`.
    static func markRead(_ scope: RequestScope) throws -> Response { try setReceipt(scope, read: true) }
    static func markUnread(_ scope: RequestScope) throws -> Response { try setReceipt(scope, read: false) }

    /// `DELETE /api/notifications/{id}`: hides it for this user only.
    static func delete(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let id = try notificationId(scope)
        let count = try scope.transaction { connection -> Int in
            try requireVisible(id, connection)
            try connection.query(
                """
                INSERT INTO notification_receipts (notification_id, user_id, deleted_at) VALUES ($1, $2, now())
                ON CONFLICT (notification_id, user_id) DO UPDATE SET deleted_at = coalesce(notification_receipts.deleted_at, now())
                """, [id, caller.userId], context: "deleting a notification")
            try announce("notification.deleted", id: id, readAt: nil, caller, connection)
            return try unread(caller.userId, connection)
        }
        return Envelope.success(
            json: .object(["id": .string(id.lowercased), "deleted": .bool(true), "unread": .integer(Int64(count))]),
            requestId: scope.request.requestId)
    }

    /// `POST /api/notifications/read-all`.
    static func readAll(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let (changed, count) = try scope.transaction { connection -> (Int, Int) in
            let result = try connection.query(
                """
                INSERT INTO notification_receipts (notification_id, user_id, read_at)
                SELECT n.id, $1, now() FROM notifications n
                LEFT JOIN notification_receipts r ON r.notification_id = n.id AND r.user_id = $1
                WHERE r.read_at IS NULL AND r.deleted_at IS NULL
                ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = coalesce(notification_receipts.read_at, now())
                """, [caller.userId], context: "reading all notifications")
            try announce("notification.updated", id: nil, readAt: nil, caller, connection)
            return (result.affectedRows, try unread(caller.userId, connection))
        }
        return Envelope.success(
            json: .object(["marked": .integer(Int64(changed)), "unread": .integer(Int64(count))]),
            requestId: scope.request.requestId)
    }

    private static func setReceipt(_ scope: RequestScope, read: Bool) throws -> Response {
        let caller = try scope.caller
        let id = try notificationId(scope)
        let (json, count) = try scope.transaction { connection -> (String, Int) in
            try requireVisible(id, connection, notDeletedBy: caller.userId)
            try connection.query(
                """
                INSERT INTO notification_receipts (notification_id, user_id, read_at)
                VALUES ($1, $2, CASE WHEN $3 THEN now() END)
                ON CONFLICT (notification_id, user_id) DO UPDATE
                SET read_at = CASE WHEN $3 THEN coalesce(notification_receipts.read_at, now()) END
                """, [id, caller.userId, read], context: "marking a notification")
            let json =
                try connection.query(
                    """
                    SELECT \(fields)::text AS json FROM notifications n
                    LEFT JOIN notification_receipts r ON r.notification_id = n.id AND r.user_id = $2
                    WHERE n.id = $1
                    """, [id, caller.userId], context: "reloading a notification"
                ).first("json") ?? "{}"
            let readAt = try connection.query(
                """
                SELECT to_json(read_at) #>> '{}' AS read_at FROM notification_receipts
                WHERE notification_id = $1 AND user_id = $2
                """, [id, caller.userId], context: "reading the receipt"
            ).first("read_at")
            try announce("notification.updated", id: id, readAt: readAt, caller, connection)
            return (json, try unread(caller.userId, connection))
        }
        return scope.ok(jsonText: "{\"notification\":\(json),\"unread\":\(count)}")
    }

    /// A 404 unless the caller may see notification `id`; with `notDeletedBy`, also once that user
    /// deleted it (a deleted notification is gone for them, except that deleting it again is fine).
    private static func requireVisible(_ id: UUID, _ connection: PostgresConnection, notDeletedBy user: UUID? = nil)
        throws
    {
        let found = try connection.query(
            """
            SELECT 1 FROM notifications n
            WHERE n.id = $1 AND ($2::uuid IS NULL OR NOT EXISTS (
                SELECT 1 FROM notification_receipts r
                WHERE r.notification_id = n.id AND r.user_id = $2 AND r.deleted_at IS NOT NULL))
            """, [id, user], context: "finding a notification")
        guard !found.rows.isEmpty else { throw APIError.notFound("No such notification.") }
    }

    private static func notificationId(_ scope: RequestScope) throws -> UUID {
        let id = try scope.pathId("notification")
        return id
    }
}
