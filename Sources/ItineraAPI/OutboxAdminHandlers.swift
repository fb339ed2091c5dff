import Foundation
import ItineraCore
import ItineraHTTP

/// The outbox as admins see it: what is pending, done or dead, and a retry button.
enum OutboxAdminHandlers {
    /// As the dashboard counts them: `pending` events have not failed yet, `failed` ones ("failed,
    /// retrying") are pending after a failure.
    static let statuses: Set<String> = ["pending", "failed", "done", "dead"]

    /// `GET /api/admin/outbox?status=pending|failed|done|dead&limit=&cursor=`, newest first, with handler outcomes.
    static func list(_ scope: RequestScope) throws -> Response {
        var check = Validation()
        let status = scope.request.query["status"]
        check.check(status.map(statuses.contains) ?? true, "status", "must be pending, failed, done or dead")
        let page = ListPage(scope.request.query, &check, key: [ListPage.integer], defaultLimit: 100, maxLimit: 500)
        try check.finish()
        // `failed` and `pending` are both stored as pending; whether an error was recorded tells them apart.
        let stored = status == "failed" ? "pending" : status
        let failed: Bool? = status == "failed" ? true : status == "pending" ? false : nil
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', e.id, 'type', e.type, 'aggregate_id', e.aggregate_id,
                           'payload', e.payload, 'status', e.status, 'attempts', e.attempts,
                           'next_attempt_at', e.next_attempt_at, 'last_error', e.last_error,
                           'created_at', e.created_at, 'processed_at', e.processed_at,
                           'handlers', coalesce((SELECT json_agg(json_build_object('handler', r.handler,
                                        'status', r.status, 'attempts', r.attempts, 'last_error', r.last_error)
                                        ORDER BY r.handler)
                                     FROM outbox_handler_runs r WHERE r.event_id = e.id), '[]'))::text AS json,
                       e.id
                FROM outbox_events e
                WHERE ($1::text IS NULL OR e.status = $1) AND ($4::boolean IS NULL OR (e.last_error IS NOT NULL) = $4)
                  AND \(page.condition("e.id", descending: true, ["$2::bigint"]))
                ORDER BY e.id DESC
                LIMIT $3
                """, [stored, page.after(0), page.fetch, failed], context: "listing the outbox"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// `POST /api/admin/outbox/{id}/retry`: a dead or failing event is tried again now, as if new
    /// (attempts from zero, pending); the handlers' runs keep their errors until they succeed.
    static func retry(_ scope: RequestScope) throws -> Response {
        guard let id = scope.request.pathParameters["id"].flatMap(Int64.init) else {
            throw APIError.notFound("No such outbox event.")
        }
        let json = try scope.transaction { connection -> String in
            let row = try connection.query(
                """
                UPDATE outbox_events SET status = 'pending', next_attempt_at = now(), attempts = 0, last_error = NULL
                WHERE id = $1 AND status <> 'done'
                RETURNING json_build_object('id', id, 'type', type, 'status', status, 'attempts', attempts,
                                          'last_error', last_error)::text AS json
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
