import Foundation
import ItineraHTTP

/// The client and supplier portals' view: a customer user's own bookings, a supplier user's
/// assigned ones (without their money, as `BookingQueries.supplierDetail`). Row-level security does the scoping (customer rows linked to the login, or
/// assignments of the login). The query also names the login's own bookings, so that PostgreSQL
/// starts from them (by index) instead of testing the policy on every booking of the team.
enum CustomerPortalHandlers {
    /// `GET /api/customer/bookings` and `GET /api/supplier/bookings?limit=&cursor=`, newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        var check = Validation()
        let page = ListPage(scope.request.query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let supplier = try scope.caller.role == .supplier
        let own =
            supplier
            ? "b.id IN (SELECT a.booking_id FROM booking_assignments a WHERE a.user_id = itinera_current_user())"
            : "b.customer_id IN (SELECT o.id FROM customers o WHERE o.user_id = itinera_current_user())"
        let fields = supplier ? BookingQueries.supplierSummary : BookingQueries.summary
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(fields)::text AS json, to_json(b.created_at) #>> '{}' AS created_at, b.id
                FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
                WHERE \(own) AND \(page.condition("b.created_at, b.id", descending: true, ["$1::timestamptz", "$2::uuid"]))
                ORDER BY b.created_at DESC, b.id DESC
                LIMIT $3
                """, [page.after(0), page.after(1), page.fetch], context: "listing a customer's bookings"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

}
