import ItineraHTTP

/// `GET /api/admin/dashboard`: the team at a glance, in one query. Each departure of the next two
/// weeks counts its items a supplier has not confirmed yet: the ones to chase before the trip.
enum DashboardHandlers {
    static func dashboard(_ scope: RequestScope) throws -> Response {
        let json = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object(
                    'bookings_by_status', coalesce((SELECT json_object_agg(status, n)
                        FROM (SELECT status, count(*) AS n FROM bookings GROUP BY status) s), '{}'),
                    'revenue_confirmed_this_month', coalesce((SELECT json_object_agg(currency, total)
                        FROM (SELECT b.currency, sum(b.total_minor) AS total
                              FROM bookings b
                              WHERE b.status NOT IN ('cancelled', 'refunded')
                                AND EXISTS (SELECT 1 FROM booking_lifecycle_events e
                                            WHERE e.booking_id = b.id AND e.to_status = 'payment_confirmed'
                                                AND e.created_at >= date_trunc('month', now()))
                              GROUP BY b.currency) r), '{}'),
                    'payments_pending', (SELECT count(*) FROM bookings WHERE status = 'payment_pending'),
                    'departures_next_14_days', coalesce((SELECT json_agg(d ORDER BY d.departure_at) FROM (
                        SELECT b.id, b.booking_reference, b.status, b.departure_at, c.name AS customer_name,
                               n.supplier_items, n.unconfirmed_items
                        FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
                        CROSS JOIN LATERAL (
                            SELECT count(*) AS supplier_items,
                                   count(*) FILTER (WHERE i.supplier_status <> 'confirmed') AS unconfirmed_items
                            FROM booking_items i WHERE i.booking_id = b.id AND i.supplier_id IS NOT NULL) n
                        WHERE b.departure_at >= now() AND b.departure_at < now() + interval '14 days'
                          AND b.status NOT IN ('cancelled', 'refunded')
                        ORDER BY b.departure_at LIMIT 50) d), '[]'),
                    'outbox', json_build_object(
                        'pending', (SELECT count(*) FROM outbox_events WHERE status = 'pending' AND last_error IS NULL),
                        'failed', (SELECT count(*) FROM outbox_events WHERE status = 'pending' AND last_error IS NOT NULL),
                        'dead', (SELECT count(*) FROM outbox_events WHERE status = 'dead'))
                )::text AS json
                """, context: "building the dashboard"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json)
    }
}
