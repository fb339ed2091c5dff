import ItineraHTTP

/// `GET /api/admin/dashboard`: the team at a glance, in one query. Each departure of the next two
/// weeks counts its items a supplier has not confirmed yet: the ones to chase before the trip. The
/// series for the charts (revenue per week, departures per day) are in UTC and have no gaps.
enum DashboardHandlers {
    static func dashboard(_ scope: RequestScope) throws -> Response {
        let json = try scope.transaction { connection in
            try connection.query(
                """
                WITH confirmed AS MATERIALIZED (
                    -- Each live booking once, with the week (UTC) it was first confirmed, for the chart's
                    -- 12 weeks: one pass over the bookings instead of one per week.
                    SELECT b.currency, b.total_minor, date_trunc('week', c.at AT TIME ZONE 'UTC') AS week
                    FROM bookings b
                    JOIN LATERAL (SELECT min(e.created_at) AS at FROM booking_lifecycle_events e
                                  WHERE e.booking_id = b.id AND e.to_status = 'payment_confirmed') c ON true
                    WHERE b.status NOT IN ('cancelled', 'refunded')
                      AND c.at >= (date_trunc('week', now() AT TIME ZONE 'UTC') - interval '11 weeks') AT TIME ZONE 'UTC'
                )
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
                    'revenue_confirmed_by_week', (SELECT json_agg(json_build_object(
                            'week_start', to_char(w.start, 'YYYY-MM-DD'),
                            'totals', coalesce((SELECT json_object_agg(r.currency, r.total) FROM (
                                SELECT currency, sum(total_minor) AS total FROM confirmed
                                WHERE week = w.start GROUP BY currency) r), '{}')) ORDER BY w.start)
                        FROM generate_series(date_trunc('week', now() AT TIME ZONE 'UTC') - interval '11 weeks',
                                             date_trunc('week', now() AT TIME ZONE 'UTC'), interval '1 week') AS w(start)),
                    'departures_by_day', (SELECT json_agg(json_build_object(
                            'date', to_char(d.day, 'YYYY-MM-DD'),
                            'count', (SELECT count(*) FROM bookings b
                                      WHERE b.departure_at >= d.day AT TIME ZONE 'UTC'
                                        AND b.departure_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
                                        AND b.status NOT IN ('cancelled', 'refunded'))) ORDER BY d.day)
                        FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC'),
                                             date_trunc('day', now() AT TIME ZONE 'UTC') + interval '13 days',
                                             interval '1 day') AS d(day)),
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
