import Foundation
import ItineraHTTP

/// A booking's history of changes beside its lifecycle timeline: the audit rows that name the
/// booking (items added, changed, removed; suppliers' answers; assignments; delivered work;
/// travelers; ground services; refunds asked for; edits; what the automations recorded: invoice,
/// voucher and itinerary, the client's thank-you), newest first, each with who did it and a
/// sentence for people.
enum BookingHistoryHandlers {
    /// `GET /api/bookings/{id}/history?limit=&cursor=` (staff).
    static func history(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("booking")
        var check = Validation()
        let page = ListPage(scope.request.query, &check, key: [ListPage.integer], defaultLimit: 50, maxLimit: 200)
        try check.finish()
        let rows = try scope.transaction { connection -> [[String?]] in
            try BookingHandlers.requireBooking(id, connection)
            return try connection.query(
                """
                SELECT json_build_object(
                    'id', a.id, 'action', a.action, 'summary', \(summary), 'actor_type', a.actor_type,
                    'actor_user_id', a.actor_user_id, 'actor_name', actor.name, 'details', a.details,
                    'created_at', a.created_at)::text AS json, a.id::text
                FROM audit_log a
                LEFT JOIN users actor ON actor.id = a.actor_user_id
                LEFT JOIN users subject ON subject.id = CASE WHEN a.details->>'user_id' ~ '^[0-9a-f-]{36}$'
                                                             THEN (a.details->>'user_id')::uuid END
                LEFT JOIN suppliers company ON company.user_id = subject.id
                LEFT JOIN ground_services service
                       ON service.id = CASE WHEN a.action = 'ground_service.update' THEN a.target_id::uuid END
                WHERE a.booking_id = $1 AND \(page.condition("a.id", descending: true, ["$2::bigint"]))
                ORDER BY a.id DESC
                LIMIT $3
                """, [id, page.after(0), page.fetch], context: "reading a booking's history"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// The fields an entry names (`details.fields`, column names), as words: `unit price, supplier`,
    /// `starts` for `starts_at`.
    private static let fields = """
        replace(replace(replace(replace(array_to_string(ARRAY(SELECT jsonb_array_elements_text(
            coalesce(a.details->'fields', '[]'))), ', '), '_minor', ''), '_id', ''), '_at', ''), '_', ' ')
        """

    /// "2 travelers, 1 flight" from an entry's counts.
    private static let counts = """
        coalesce(a.details->>'travelers', '0') || CASE WHEN a.details->>'travelers' = '1' THEN ' traveler, '
                                                       ELSE ' travelers, ' END
        || coalesce(a.details->>'flights', '0') || CASE WHEN a.details->>'flights' = '1' THEN ' flight'
                                                     ELSE ' flights' END
        """

    /// One sentence per kind of change; an action without one shows as it is recorded.
    private static let summary = """
        CASE a.action
            WHEN 'booking.update' THEN 'Edited the booking: ' || \(fields)
            WHEN 'booking.assign' THEN 'Assigned ' || coalesce(company.name, subject.name, 'a supplier user') || ' as '
                || coalesce(a.details->>'role', 'other')
            WHEN 'booking.unassign' THEN 'Unassigned ' || coalesce(company.name, subject.name, 'a supplier user')
                || coalesce(' (' || (a.details->>'role') || ')', '')
            WHEN 'booking_item.create' THEN 'Added ' || coalesce(a.details->>'item', 'an item')
            WHEN 'booking_item.update' THEN 'Changed ' || coalesce((a.details->>'from') || ' (now '
                || (a.details->>'item') || ')', a.details->>'item', 'an item') || ': ' || \(fields)
            WHEN 'booking_item.delete' THEN 'Removed ' || coalesce(a.details->>'item', 'an item')
            WHEN 'booking_item.supplier_answer' THEN 'Supplier answer for ' || coalesce(a.details->>'item', 'an item')
                || ': ' || CASE WHEN a.details->>'change' = 'reference' AND a.details->>'supplier_reference' IS NULL
                                THEN 'reference removed'
                                ELSE coalesce(a.details->>'supplier_status', 'answered')
                                     || coalesce(' (' || (a.details->>'supplier_reference') || ')', '') END
            WHEN 'booking.work_uploaded' THEN 'Delivered work uploaded: ' || coalesce(a.details->>'work', 'a file')
            WHEN 'booking.client_update' THEN 'The client saved travelers and flights (' || \(counts) || ')'
            WHEN 'partner.booking_updated_by_client' THEN 'The client changed travelers or flights elsewhere'
            WHEN 'booking.travelers_update' THEN 'Saved travelers and flights (' || \(counts) || ')'
            WHEN 'payment.offline' THEN 'Recorded a payment of ' || coalesce(a.details->>'amount', '')
                || ' by ' || coalesce(a.details->>'method', 'other means')
                || coalesce(' (' || (a.details->>'reference') || ')', '')
            WHEN 'payment.refund' THEN 'Refund of ' || coalesce(a.details->>'amount', 'a payment') || ' requested'
                || coalesce(': ' || (a.details->>'reason'), '')
            WHEN 'ground_service.create' THEN 'Added ground service ' || coalesce(a.details->>'service', '')
            WHEN 'ground_service.update' THEN 'Changed ground service ' || coalesce(service.description || ': ', '')
                || \(fields)
            WHEN 'ground_service.delete' THEN 'Removed ground service ' || coalesce(a.details->>'service', '')
            WHEN 'invoice.recorded' THEN 'Invoice recorded for ' || coalesce(a.details->>'amount', 'the booking')
            WHEN 'documents.recorded' THEN 'Voucher and itinerary recorded'
            WHEN 'communication.recorded' THEN 'Thank-you message to the client recorded'
            ELSE a.action
        END
        """
}
