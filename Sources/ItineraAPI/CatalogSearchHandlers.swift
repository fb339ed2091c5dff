import Foundation
import ItineraHTTP

/// Search of the team's local product catalog: flights by route and date, hotels by city and
/// stay, activities by city and date. Paginated with limit/offset, cheapest first.
enum CatalogSearchHandlers {
    /// `GET /api/products/flights/search?origin=ZRH&destination=GRU&date=2027-03-01`.
    static func flights(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        for field in ["origin", "destination"] {
            let code = query[field] ?? ""
            check.check(
                code.count == 3 && code.allSatisfy { $0.isASCII && $0.isLetter }, field, "must be a 3-letter IATA code")
        }
        let day = date(query["date"], "date", &check, required: false)
        let page = paging(query, &check)
        try check.finish()
        return try search(
            scope,
            where: """
                kind = 'flight' AND origin = upper($1) AND destination = upper($2)
                AND ($3::date IS NULL OR (starts_at >= $3::date AND starts_at < $3::date + 1))
                """, [query["origin"], query["destination"], day], page)
    }

    /// `GET /api/products/hotels/search?city=Rio&checkIn=2027-03-01&checkOut=2027-03-04`: hotels of the
    /// city whose availability window (starts_at–ends_at, when set) covers the stay.
    static func hotels(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        check.check(!(query["city"] ?? "").isEmpty, "city", "is required")
        let checkIn = date(query["checkIn"], "checkIn", &check, required: false)
        let checkOut = date(query["checkOut"], "checkOut", &check, required: false)
        if let checkIn, let checkOut { check.check(checkOut > checkIn, "checkOut", "must be after checkIn") }
        let page = paging(query, &check)
        try check.finish()
        return try search(
            scope,
            where: """
                kind = 'hotel' AND city_key = lower($1)
                AND ($2::date IS NULL OR starts_at IS NULL OR starts_at <= $2::date)
                AND ($3::date IS NULL OR ends_at IS NULL OR ends_at >= $3::date)
                """, [query["city"], checkIn, checkOut], page)
    }

    /// `GET /api/products/activities/search?city=Rio&date=2027-03-02`.
    static func activities(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        check.check(!(query["city"] ?? "").isEmpty, "city", "is required")
        let day = date(query["date"], "date", &check, required: false)
        let page = paging(query, &check)
        try check.finish()
        return try search(
            scope,
            where: """
                kind = 'activity' AND city_key = lower($1)
                AND ($2::date IS NULL OR starts_at IS NULL OR (starts_at >= $2::date AND starts_at < $2::date + 1))
                """, [query["city"], day], page)
    }

    // `condition` is a constant of this file; its values are bound as $1…$n, paging after them.
    private static func search(
        _ scope: RequestScope, where condition: String, _ values: [String?], _ page: (limit: Int, offset: Int)
    ) throws -> Response {
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', id, 'kind', kind, 'name', name, 'supplier_id', supplier_id,
                    'city', city, 'origin', origin, 'destination', destination, 'starts_at', starts_at,
                    'ends_at', ends_at, 'price_minor', price_minor, 'currency', currency)::text AS json
                FROM products
                WHERE active AND \(condition)
                ORDER BY price_minor, starts_at NULLS LAST, id
                LIMIT $\(values.count + 1) OFFSET $\(values.count + 2)
                """, values + [String(page.limit + 1), String(page.offset)], context: "searching the catalog"
            ).rows
        }
        let items = rows.prefix(page.limit).compactMap { $0[0] }.joined(separator: ",")
        // No cursor past the deepest one `paging` takes: a search pages through its first 10,000 matches.
        let more = rows.count > page.limit && page.offset + page.limit <= maxOffset
        let next = more ? "\"\(page.offset + page.limit)\"" : "null"
        return scope.ok(jsonText: "{\"items\":[\(items)],\"nextCursor\":\(next)}")
    }

    private static func date(_ text: String?, _ field: String, _ check: inout Validation, required: Bool) -> String? {
        guard let text else {
            check.check(!required, field, "is required")
            return nil
        }
        // Strictly YYYY-MM-DD once checked: compares as text as it does as a date.
        return check.day(text, field) == nil ? nil : text
    }

    /// The deepest offset a search pages to.
    static let maxOffset = 10_000

    private static func paging(_ query: [String: String], _ check: inout Validation) -> (limit: Int, offset: Int) {
        let limit = query["limit"].map { Int($0) ?? -1 } ?? 20
        check.check((1...100).contains(limit), "limit", "must be from 1 to 100")
        let offset = query["cursor"].map { Int($0) ?? -1 } ?? 0
        check.check((0...maxOffset).contains(offset), "cursor", "is not a cursor from this search")
        return (limit, offset)
    }
}
