import Foundation
import ItineraHTTP
import ItineraStore

/// Reading one entry of the directory, editing it and taking it out. Rows that bookings still point
/// at are never deleted behind their back: customers and suppliers in use answer 409, products are
/// archived (hidden from the catalog and search, still shown on the bookings that have them).
enum DirectoryEditHandlers {
    static let customerJSON = """
        json_build_object('id', id, 'name', name, 'email', email, 'phone', phone, 'user_id', user_id,
            'notes', notes, 'created_at', created_at, 'updated_at', updated_at)::text AS json
        """
    static let supplierJSON = """
        json_build_object('id', id, 'name', name, 'kind', kind, 'email', email, 'phone', phone,
            'user_id', user_id, 'created_at', created_at, 'updated_at', updated_at)::text AS json
        """
    static let productJSON = """
        json_build_object('id', id, 'kind', kind, 'name', name, 'description', description,
            'supplier_id', supplier_id, 'city', city, 'origin', origin, 'destination', destination,
            'starts_at', starts_at, 'ends_at', ends_at, 'price_minor', price_minor, 'currency', currency,
            'active', active, 'created_at', created_at, 'updated_at', updated_at)::text AS json
        """

    // MARK: customers

    /// `PATCH /api/customers/{id}` `{name?, email?, phone?, userId?, notes?}`.
    static func updateCustomer(_ scope: RequestScope) throws -> Response {
        var update = try PartialUpdate(
            scope.request, editable: ["name", "email", "phone", "userId", "notes"])
        update.text("name", "name", 1...200, required: true)
        update.email("email", "email")
        update.text("phone", "phone", 1...40)
        let userId = update.uuid("userId", "user_id")
        update.text("notes", "notes", 1...4000)
        return try save(scope, update, table: "customers", json: customerJSON, linkedLogin: (userId, "customer"))
    }

    /// `DELETE /api/customers/{id}`: 409 `in_use` while bookings or quotations name the customer.
    static func deleteCustomer(_ scope: RequestScope) throws -> Response {
        try delete(scope, table: "customers", what: "customer") { id, connection in
            let row = try connection.query(
                """
                SELECT (SELECT count(*) FROM bookings WHERE customer_id = $1),
                       (SELECT count(*) FROM quotations WHERE customer_id = $1)
                """, [id], context: "counting a customer's bookings"
            ).rows.first
            return [("booking", row?[0]), ("quotation", row?[1])].map { ($0, $1.flatMap(Int.init) ?? 0) }
        }
    }

    // MARK: suppliers

    /// `GET /api/suppliers/{id}`.
    static func getSupplier(_ scope: RequestScope) throws -> Response {
        try get(scope, table: "suppliers", json: supplierJSON, what: "supplier")
    }

    /// `PATCH /api/suppliers/{id}` `{name?, kind?, email?, phone?, userId?}`.
    static func updateSupplier(_ scope: RequestScope) throws -> Response {
        var update = try PartialUpdate(scope.request, editable: ["name", "kind", "email", "phone", "userId"])
        update.text("name", "name", 1...200, required: true)
        update.oneOf("kind", "kind", DirectoryHandlers.supplierKinds)
        update.email("email", "email")
        update.text("phone", "phone", 1...40)
        let userId = update.uuid("userId", "user_id")
        return try save(scope, update, table: "suppliers", json: supplierJSON, linkedLogin: (userId, "supplier"))
    }

    /// `DELETE /api/suppliers/{id}`: 409 `in_use` while booking items, ground services or products
    /// name the supplier (their supplier status and references would be lost).
    static func deleteSupplier(_ scope: RequestScope) throws -> Response {
        try delete(scope, table: "suppliers", what: "supplier") { id, connection in
            let row = try connection.query(
                """
                SELECT (SELECT count(*) FROM booking_items WHERE supplier_id = $1),
                       (SELECT count(*) FROM ground_services WHERE supplier_id = $1),
                       (SELECT count(*) FROM products WHERE supplier_id = $1 AND active)
                """, [id], context: "counting a supplier's uses"
            ).rows.first
            return [("booking item", row?[0]), ("ground service", row?[1]), ("active product", row?[2])]
                .map { ($0, $1.flatMap(Int.init) ?? 0) }
        }
    }

    // MARK: products

    /// `GET /api/products/{id}`: archived products too (bookings link to them).
    static func getProduct(_ scope: RequestScope) throws -> Response {
        try get(scope, table: "products", json: productJSON, what: "product")
    }

    /// `PATCH /api/products/{id}` `{name?, description?, supplierId?, city?, origin?, destination?,
    /// startsAt?, endsAt?, priceMinor?, active?}`; the kind and currency stay what they were.
    static func updateProduct(_ scope: RequestScope) throws -> Response {
        var update = try PartialUpdate(
            scope.request,
            editable: [
                "name", "description", "supplierId", "city", "origin", "destination", "startsAt", "endsAt",
                "priceMinor", "active",
            ])
        update.text("name", "name", 1...200, required: true)
        update.text("description", "description", 1...4000)
        _ = update.uuid("supplierId", "supplier_id")
        update.text("city", "city", 1...100)
        update.iata("origin", "origin")
        update.iata("destination", "destination")
        update.date("startsAt", "starts_at")
        update.date("endsAt", "ends_at")
        update.amount("priceMinor", "price_minor")
        update.bool("active", "active")
        return try save(scope, update, table: "products", json: productJSON, linkedLogin: nil)
    }

    /// `DELETE /api/products/{id}`: archives the product (`active: false`).
    static func archiveProduct(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("product")
        let json = try scope.transaction { connection in
            try connection.query(
                "UPDATE products SET active = false, updated_at = now() WHERE id = $1 RETURNING \(productJSON)", [id],
                context: "archiving a product"
            ).first("json")
        }
        guard let json else { throw APIError.notFound("No such product.") }
        return scope.ok(jsonText: json)
    }

    // MARK: shared

    // `table` and `json` are constants of this file, never input.
    private static func get(_ scope: RequestScope, table: String, json: String, what: String) throws -> Response {
        try scope.record(what, "SELECT \(json) FROM \(table) WHERE id = $1")
    }

    private static func save(
        _ scope: RequestScope, _ update: PartialUpdate, table: String, json: String,
        linkedLogin: (id: UUID??, role: String)?
    ) throws -> Response {
        let caller = try scope.caller
        do {
            return try update.save(scope, table: table, json: json, what: String(table.dropLast())) { connection in
                if let linkedLogin, case .some(.some(let userId)) = linkedLogin.id {
                    try DirectoryHandlers.requireMember(userId, role: linkedLogin.role, caller.teamId, connection)
                }
            }
        } catch let error as StoreError where error.isUniqueViolation {
            throw APIError.validation(["userId": "this login is already linked to another row"])
        }
    }

    private static func delete(
        _ scope: RequestScope, table: String, what: String,
        uses: (UUID, PostgresConnection) throws -> [(noun: String, count: Int)]
    ) throws -> Response {
        let id = try scope.pathId(what)
        try scope.transaction { connection in
            let found = try connection.query(
                "SELECT 1 FROM \(table) WHERE id = $1 FOR UPDATE", [id], context: "locking a \(what)")
            guard !found.rows.isEmpty else { throw APIError.notFound("No such \(what).") }
            let used = try uses(id, connection).filter { $0.count > 0 }
            guard used.isEmpty else {
                // "4 bookings and 1 quotation"
                let counted = used.map { "\($0.count) \($0.noun)\($0.count == 1 ? "" : "s")" }
                let named =
                    counted.count == 1
                    ? counted[0] : counted.dropLast().joined(separator: ", ") + " and " + counted.last!
                throw APIError(
                    status: 409, code: "in_use", message: "This \(what) is named by \(named): it cannot be deleted.",
                    details: .object([
                        "uses": .integer(Int64(used.reduce(0) { $0 + $1.count })), "named_by": .string(named),
                    ]))
            }
            try connection.query("DELETE FROM \(table) WHERE id = $1", [id], context: "deleting a \(what)")
            try Audit.record(connection, scope, action: "\(what).delete", table: table, rowId: id.lowercased)
        }
        return scope.ok(jsonText: "{\"id\":\"\(id.lowercased)\",\"deleted\":true}")
    }
}

extension PartialUpdate {
    /// A 3-letter IATA airport code, or null.
    mutating func iata(_ field: String, _ column: String) {
        if case .string(let code) = fieldValue(field) {
            check.check(
                code.count == 3 && code.allSatisfy { $0.isASCII && $0.isUppercase }, field,
                "must be a 3-letter IATA code")
        }
        text(field, column, 3...3)
    }
}
