import Foundation
import ItineraHTTP

/// The client and supplier portals' view: a customer user's own bookings, a supplier user's
/// assigned ones. Row-level security does the scoping (customer rows linked to the login, or
/// assignments of the login); the code asks for no filter.
enum CustomerPortalHandlers {
    /// `GET /api/customer/bookings` and `GET /api/supplier/bookings`, newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(BookingQueries.summary)::text AS json
                FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
                ORDER BY b.created_at DESC, b.id DESC
                LIMIT 200
                """, context: "listing a customer's bookings"
            ).rows
        }
        return scope.ok(
            jsonText: "{\"items\":[\(rows.compactMap { $0[0] }.joined(separator: ","))],\"nextCursor\":null}")
    }

}
