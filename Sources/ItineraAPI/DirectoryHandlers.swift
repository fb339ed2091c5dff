import Foundation
import ItineraHTTP
import ItineraStore

/// The team's directory: customers, suppliers and the product catalog (staff and admins).
enum DirectoryHandlers {
    struct PartyBody: Decodable {
        let name: String?
        let email: String?
        let phone: String?
        let kind: String?
        let userId: String?
        let notes: String?
    }

    static let supplierKinds: Set<String> = [
        "airline", "hotel", "operator", "guide", "photographer", "driver", "other",
    ]

    /// `POST /api/customers {name, email?, phone?, userId?, notes?}`; `userId` links a customer portal login.
    static func createCustomer(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(PartyBody.self)
        var check = Validation()
        let name = check.text(body.name, "name", 1...200, required: true)
        let email = check.email(body.email, "email")
        let phone = check.text(body.phone, "phone", 1...40)
        let userId = check.uuid(body.userId, "userId", required: false)
        let notes = check.text(body.notes, "notes", 1...4000)
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let userId { try requireMember(userId, role: "customer", caller.teamId, connection) }
            let row = try insertParty(
                connection,
                """
                INSERT INTO customers (team_id, name, email, phone, user_id, notes) VALUES ($1, $2, $3, $4, $5, $6)
                RETURNING json_build_object('id', id, 'name', name, 'email', email, 'phone', phone, 'user_id', user_id,
                    'notes', notes, 'created_at', created_at)::text AS json, id
                """, [caller.teamId, name, email, phone, userId, notes], context: "creating a customer")
            try Audit.record(connection, scope, action: "customer.create", table: "customers", rowId: row.first("id"))
            return row.first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `POST /api/suppliers {name, kind?, email?, phone?, userId?}`; `userId` links a supplier login.
    static func createSupplier(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(PartyBody.self)
        var check = Validation()
        let name = check.text(body.name, "name", 1...200, required: true)
        let kind = body.kind ?? "other"
        check.check(
            supplierKinds.contains(kind), "kind", "must be one of \(supplierKinds.sorted().joined(separator: ", "))")
        let email = check.email(body.email, "email")
        let phone = check.text(body.phone, "phone", 1...40)
        let userId = check.uuid(body.userId, "userId", required: false)
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let userId { try requireMember(userId, role: "supplier", caller.teamId, connection) }
            let row = try insertParty(
                connection,
                """
                INSERT INTO suppliers (team_id, name, kind, email, phone, user_id) VALUES ($1, $2, $3, $4, $5, $6)
                RETURNING json_build_object('id', id, 'name', name, 'kind', kind, 'email', email, 'phone', phone,
                    'user_id', user_id, 'created_at', created_at)::text AS json, id
                """, [caller.teamId, name, kind, email, phone, userId], context: "creating a supplier")
            try Audit.record(connection, scope, action: "supplier.create", table: "suppliers", rowId: row.first("id"))
            return row.first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/customers?q=&limit=` and `GET /api/suppliers?q=&limit=`, by name.
    static func listCustomers(_ scope: RequestScope) throws -> Response {
        try list(scope, table: "customers", fields: "'email', email, 'phone', phone, 'user_id', user_id")
    }

    static func listSuppliers(_ scope: RequestScope) throws -> Response {
        try list(scope, table: "suppliers", fields: "'kind', kind, 'email', email, 'user_id', user_id")
    }

    /// `GET /api/customers/{id}`.
    static func getCustomer(_ scope: RequestScope) throws -> Response {
        try scope.record("customer", "SELECT \(DirectoryEditHandlers.customerJSON) FROM customers WHERE id = $1")
    }

    // `table` and `fields` are constants of this file, never input.
    private static func list(_ scope: RequestScope, table: String, fields: String) throws -> Response {
        var check = Validation()
        let page = ListPage(
            scope.request.query, &check, key: [ListPage.text, ListPage.uuid], defaultLimit: 100, maxLimit: 500)
        try check.finish()
        let search = scope.request.query["q"].flatMap { $0.isEmpty ? nil : likePattern($0) }
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', id, 'name', name, \(fields), 'created_at', created_at)::text AS json,
                    sort_name, id
                FROM \(table)
                WHERE \(search == nil ? "$1::text IS NULL" : "id IN (SELECT s.id FROM itinera_search_\(table)($1) s)")
                  AND \(page.condition("sort_name, id", descending: false, ["$2::text", "$3::uuid"]))
                ORDER BY sort_name, id
                LIMIT $4
                """, [search, page.after(0), page.after(1), page.fetch], context: "listing \(table)"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    struct ProductBody: Decodable {
        let kind: String?
        let name: String?
        let description: String?
        let supplierId: String?
        let city: String?
        let origin: String?
        let destination: String?
        let startsAt: Date?
        let endsAt: Date?
        let priceMinor: Int64?
        let currency: String?
    }

    /// `POST /api/products`: a catalog entry (flight, hotel, activity, ground service).
    static func createProduct(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(ProductBody.self)
        var check = Validation()
        let kind = body.kind ?? ""
        check.check(
            BookingHandlers.itemKinds.contains(kind), "kind",
            "must be one of \(BookingHandlers.itemKinds.sorted().joined(separator: ", "))")
        let name = check.text(body.name, "name", 1...200, required: true)
        let supplierId = check.uuid(body.supplierId, "supplierId", required: false)
        let currency = check.currency(body.currency, "currency")
        let description = check.text(body.description, "description", 1...4000)
        let city = check.text(body.city, "city", 1...100)
        check.check(
            body.priceMinor.map { $0 >= 0 } ?? false, "priceMinor", "must be a non-negative amount in minor units")
        for (field, code) in [("origin", body.origin), ("destination", body.destination)] {
            check.check(
                code == nil || (code!.count == 3 && code!.allSatisfy { $0.isASCII && $0.isUppercase }), field,
                "must be a 3-letter IATA code")
        }
        if let start = body.startsAt, let end = body.endsAt {
            check.check(end >= start, "endsAt", "must not be before the start")
        }
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            let row = try connection.query(
                """
                INSERT INTO products (team_id, supplier_id, kind, name, description, city, origin, destination,
                    starts_at, ends_at, price_minor, currency)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                RETURNING json_build_object('id', id, 'kind', kind, 'name', name, 'supplier_id', supplier_id,
                    'city', city, 'origin', origin, 'destination', destination, 'starts_at', starts_at,
                    'ends_at', ends_at, 'price_minor', price_minor, 'currency', currency)::text AS json
                """,
                [
                    caller.teamId, supplierId, kind, name, description, city, body.origin, body.destination,
                    body.startsAt, body.endsAt, body.priceMinor, currency,
                ], context: "creating a product")
            return row.first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/products?kind=&city=&q=&limit=`: the active catalog by name; `q` searches names.
    static func listProducts(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        check.check(query["kind"].map(BookingHandlers.itemKinds.contains) ?? true, "kind", "is not a product kind")
        let page = ListPage(query, &check, key: [ListPage.text, ListPage.uuid], defaultLimit: 100, maxLimit: 500)
        try check.finish()
        let search = query["q"].flatMap { $0.isEmpty ? nil : likePattern($0) }
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', id, 'kind', kind, 'name', name, 'description', description,
                    'supplier_id', supplier_id, 'city', city, 'origin', origin, 'destination', destination,
                    'starts_at', starts_at, 'ends_at', ends_at, 'price_minor', price_minor,
                    'currency', currency)::text AS json,
                    sort_name, id
                FROM products
                WHERE active AND ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR city_key = lower($2))
                  AND \(search == nil ? "$6::text IS NULL" : "id IN (SELECT s.id FROM itinera_search_products($6) s)")
                  AND \(page.condition("sort_name, id", descending: false, ["$3::text", "$4::uuid"]))
                ORDER BY sort_name, id
                LIMIT $5
                """, [query["kind"], query["city"], page.after(0), page.after(1), page.fetch, search],
                context: "listing products"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// A login can be linked to one customer (or supplier) row per team.
    private static func insertParty(
        _ connection: PostgresConnection, _ sql: String, _ parameters: [(any SQLParameter)?], context: String
    ) throws -> QueryResult {
        do {
            return try connection.query(sql, parameters, context: context)
        } catch let error as StoreError where error.isUniqueViolation {
            throw APIError.validation(["userId": "this login is already linked to another row"])
        }
    }

    static func requireMember(_ userId: UUID, role: String, _ teamId: UUID, _ connection: PostgresConnection)
        throws
    {
        let member = try connection.query(
            "SELECT 1 FROM memberships WHERE team_id = $1 AND user_id = $2 AND role = $3", [teamId, userId, role],
            context: "checking a login")
        guard !member.rows.isEmpty else { throw APIError.validation(["userId": "must be a \(role) user of this team"]) }
    }
}
