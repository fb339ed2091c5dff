import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Leads: an enquiry before there is a booking. Its status follows the bookings made from it
/// (migration 0019: `converted` once one is booked, `lost` when the last live one is cancelled
/// before that, `open` again with a new booking); staff may also set it by hand.
enum LeadHandlers {
    static let statuses: Set<String> = ["open", "converted", "lost"]

    static let leadJSON = """
        json_build_object('id', l.id, 'customer_id', l.customer_id,
            'customer_name', (SELECT c.name FROM customers c WHERE c.id = l.customer_id), 'source', l.source,
            'notes', l.notes, 'status', l.status, 'created_at', l.created_at, 'updated_at', l.updated_at)
        """

    struct LeadBody: Decodable {
        let customerId: String?
        let source: String?
        let notes: String?
    }

    /// `POST /api/leads {customerId?, source?, notes?}`.
    static func create(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(LeadBody.self)
        var check = Validation()
        let customerId = check.uuid(body.customerId, "customerId", required: false)
        let source = check.text(body.source, "source", 1...100)
        let notes = check.text(body.notes, "notes", 1...4000)
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let customerId { try connection.requireRow("customers", customerId, "customerId") }
            return try connection.query(
                """
                WITH l AS (INSERT INTO leads (team_id, customer_id, source, notes) VALUES ($1, $2, $3, $4) RETURNING *)
                SELECT \(leadJSON)::text AS json FROM l
                """, [caller.teamId, customerId, source, notes], context: "creating a lead"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/leads?status=&customerId=&limit=&cursor=`, newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        let status = scope.request.query["status"]
        var check = Validation()
        check.check(status.map(statuses.contains) ?? true, "status", "must be open, converted or lost")
        let customerId = check.uuid(scope.request.query["customerId"], "customerId", required: false)
        let page = ListPage(scope.request.query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(leadJSON)::text AS json, to_json(l.created_at) #>> '{}' AS created_at, l.id
                FROM leads l
                WHERE ($1::text IS NULL OR l.status = $1) AND ($5::uuid IS NULL OR l.customer_id = $5)
                  AND \(page.condition("l.created_at, l.id", descending: true, ["$2::timestamptz", "$3::uuid"]))
                ORDER BY l.created_at DESC, l.id DESC
                LIMIT $4
                """, [status, page.after(0), page.after(1), page.fetch, customerId], context: "listing leads"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// A lead with its quotations and the bookings made from it, oldest first (`l` is the lead).
    static let leadDetail = """
        (\(leadJSON)::jsonb || jsonb_build_object(
            'quotations', coalesce((SELECT jsonb_agg(\(QuotationHandlers.quotationJSON) ORDER BY q.created_at, q.id)
                                    FROM quotations q WHERE q.lead_id = l.id), '[]'::jsonb),
            'bookings', coalesce((SELECT jsonb_agg(jsonb_build_object('id', b.id,
                                      'booking_reference', b.booking_reference, 'status', b.status,
                                      'currency', b.currency, 'quotation_id', b.quotation_id) ORDER BY b.created_at, b.id)
                                  FROM bookings b WHERE b.lead_id = l.id), '[]'::jsonb)))::text AS json
        """

    /// `GET /api/leads/{id}`: the lead with its quotations and bookings.
    static func get(_ scope: RequestScope) throws -> Response {
        try scope.record("lead", "SELECT \(leadDetail) FROM leads l WHERE l.id = $1")
    }

    /// The customer a booking or quotation made from lead `id` is for: the lead's own, or, for a lead
    /// that names none yet, `given`, which becomes the lead's (its first booking or quotation decides).
    /// 400 `customerId` for another customer than the lead's or when neither names one; 400 `leadId`
    /// for no such lead. The lead's row lock orders this with a change of the lead's customer (which
    /// then counts what the caller added) and with another booking or quotation deciding it.
    static func customer(forLead id: UUID, given: UUID?, _ connection: PostgresConnection) throws -> UUID {
        let lead = try connection.query(
            "SELECT customer_id FROM leads WHERE id = $1 FOR UPDATE", [id], context: "checking leadId")
        guard let row = lead.rows.first else { throw APIError.validation(["leadId": Validation.notOurs]) }
        switch (row[0].flatMap(UUID.init(parsing:)), given) {
        case (let theirs?, let given?) where theirs != given:
            throw APIError.validation(["customerId": "must be the lead's customer"])
        case (let theirs?, _):
            return theirs
        case (nil, let given?):
            try connection.query(
                "UPDATE leads SET customer_id = $2, updated_at = now() WHERE id = $1", [id, given],
                context: "giving the lead its customer")
            return given
        case (nil, nil):
            throw APIError.validation(["customerId": "is required: the lead names no customer"])
        }
    }

    /// `PATCH /api/leads/{id}` `{customerId?, source?, notes?, status?}` → the lead as GET shows it.
    /// Its customer changes (or is cleared) only while no quotation or booking of the lead is for
    /// another one (409 `lead_in_use`).
    static func update(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("lead")
        var update = try PartialUpdate(scope.request, editable: ["customerId", "source", "notes", "status"])
        let customerId = update.uuid("customerId", "customer_id")
        update.text("source", "source", 1...100)
        update.text("notes", "notes", 1...4000)
        update.oneOf("status", "status", statuses)
        return try update.save(scope, table: "leads l", json: leadDetail, what: "lead") { connection in
            guard case .some(let customerId) = customerId else { return }
            try connection.query("SELECT 1 FROM leads WHERE id = $1 FOR UPDATE", [id], context: "locking a lead")
            if let customerId { try connection.requireRow("customers", customerId, "customerId") }
            let uses =
                try connection.query(
                    """
                    SELECT (SELECT count(*) FROM quotations WHERE lead_id = $1 AND customer_id IS DISTINCT FROM $2)
                         + (SELECT count(*) FROM bookings WHERE lead_id = $1 AND customer_id IS DISTINCT FROM $2) AS uses
                    """, [id, customerId], context: "checking the lead's records"
                ).first("uses").flatMap(Int.init) ?? 0
            guard uses == 0 else {
                throw APIError(
                    status: 409, code: "lead_in_use",
                    message: "\(uses) quotation(s) or booking(s) of this lead are for its current customer.",
                    details: .object(["uses": .integer(Int64(uses))]))
            }
        }
    }
}
