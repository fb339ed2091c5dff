import Foundation
import ItineraHTTP

/// The client portal's view: a customer user's own bookings. Row-level security does the scoping
/// (only bookings of customer rows linked to this login are visible), the code asks for no filter.
enum CustomerPortalHandlers {
    /// `GET /api/customer/bookings`, newest first.
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
