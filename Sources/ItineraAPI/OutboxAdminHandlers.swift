import Foundation
import ItineraCore
import ItineraHTTP

/// The outbox as admins see it: what is pending, done or dead, and a retry button.
enum OutboxAdminHandlers {
    static let statuses: Set<String> = ["pending", "done", "dead"]

    /// `GET /api/admin/outbox?status=pending|done|dead&limit=`, newest first, with handler outcomes.
    static func list(_ scope: RequestScope) throws -> Response {
        var check = Validation()
        let status = scope.request.query["status"]
        check.check(status.map(statuses.contains) ?? true, "status", "must be pending, done or dead")
        let limit = scope.request.query["limit"].map { Int($0) ?? -1 } ?? 100
        check.check((1...500).contains(limit), "limit", "must be from 1 to 500")
        try check.finish()
        let json = try scope.transaction { connection in
            try connection.query(
                """
                SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text AS json FROM (
                    SELECT e.id, e.type, e.aggregate_id, e.payload, e.status, e.attempts, e.next_attempt_at,
                           e.last_error, e.created_at, e.processed_at,
                           coalesce((SELECT json_agg(json_build_object('handler', r.handler, 'status', r.status,
                                        'attempts', r.attempts, 'last_error', r.last_error) ORDER BY r.handler)
                                     FROM outbox_handler_runs r WHERE r.event_id = e.id), '[]') AS handlers
                    FROM outbox_events e
                    WHERE ($1::text IS NULL OR e.status = $1)
                    ORDER BY e.id DESC
                    LIMIT $2) x
                """, [status, limit], context: "listing the outbox"
            ).first("json") ?? "[]"
        }
        return scope.ok(jsonText: "{\"items\":\(json),\"nextCursor\":null}")
    }

    /// `POST /api/admin/outbox/{id}/retry`: a dead or failing event is tried again now.
    static func retry(_ scope: RequestScope) throws -> Response {
        guard let id = scope.request.pathParameters["id"].flatMap(Int64.init) else {
            throw APIError.notFound("No such outbox event.")
        }
        let json = try scope.transaction { connection -> String in
            let row = try connection.query(
                """
                UPDATE outbox_events SET status = 'pending', next_attempt_at = now(), attempts = 0
                WHERE id = $1 AND status <> 'done'
                RETURNING json_build_object('id', id, 'type', type, 'status', status, 'attempts', attempts)::text AS json
                """, [id], context: "retrying an outbox event")
            guard let json = row.first("json") else {
                throw APIError.notFound("No such outbox event, or it is already done.")
            }
            connection.notifyAfterCommit(channel: OutboxWakeUp.channel, payload: "retry")
            try Audit.record(connection, scope, action: "outbox.retry", table: "outbox_events", rowId: String(id))
            return json
        }
        return scope.ok(jsonText: json)
    }
}
