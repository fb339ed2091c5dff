import Foundation
import ItineraHTTP
import ItineraStore

/// A PATCH body: each editable field maps to one column; a field left out keeps its column, a field
/// sent as `null` clears it (unless it is required). Builds one UPDATE with every value a parameter;
/// column and table names come from the handlers' constants, never from the request.
struct PartialUpdate {
    private let fields: [String: JSONValue]
    var check = Validation()
    private var columns: [(name: String, value: (any SQLParameter)?, cast: String)] = []

    init(_ request: Request, editable: Set<String>) throws {
        fields = try Self.members(of: request, editable: editable)
        for name in fields.keys where !editable.contains(name) { check.check(false, name, "cannot be edited here") }
        check.check(!fields.isEmpty, "body", "names no field to edit")
    }

    /// The body's members, each under its camelCase name: a field may come in the answers'
    /// snake_case spelling (`starts_on` for `startsOn`); both spellings of one field are a 400.
    static func members(of request: Request, editable: Set<String>) throws -> [String: JSONValue] {
        guard case .object(let fields) = try request.decodeJSON(JSONValue.self) else {
            throw APIError.validation(["body": "must be a JSON object"])
        }
        let spellings = Dictionary(editable.map { ($0.snakeCased, $0) }, uniquingKeysWith: { first, _ in first })
        var named: [String: JSONValue] = [:]
        for (sent, value) in fields {
            let name = editable.contains(sent) ? sent : spellings[sent] ?? sent
            if named[name] != nil {
                throw APIError.invalidJSON(
                    field: name, "is sent in both spellings (camelCase and snake_case); send one")
            }
            named[name] = value
        }
        return named
    }

    func fieldValue(_ name: String) -> JSONValue? { fields[name] }

    /// The value sent for `field` as a string (nil when absent, null or of another type).
    private mutating func string(_ field: String, required: Bool) -> String?? {
        guard let value = fields[field] else { return .none }
        switch value {
        case .string(let text): return .some(text)
        case .null:
            check.check(!required, field, "cannot be cleared")
            return .some(nil)
        default:
            check.check(false, field, "must be a string\(required ? "" : " or null")")
            return .none
        }
    }

    mutating func text(_ field: String, _ column: String, _ range: ClosedRange<Int>, required: Bool = false) {
        guard case .some(let raw) = string(field, required: required) else { return }
        let value = raw.flatMap { check.text($0, field, range, required: required) }
        columns.append((column, value, "text"))
    }

    mutating func email(_ field: String, _ column: String) {
        guard case .some(let raw) = string(field, required: false) else { return }
        columns.append((column, raw.flatMap { check.email($0, field) }, "text"))
    }

    mutating func uuid(_ field: String, _ column: String) -> UUID?? {
        guard case .some(let raw) = string(field, required: false) else { return .none }
        let value = raw.flatMap { check.uuid($0, field) }
        columns.append((column, value, "uuid"))
        return .some(value)
    }

    mutating func oneOf(_ field: String, _ column: String, _ allowed: Set<String>) {
        guard case .some(let raw) = string(field, required: true), let raw else { return }
        check.check(allowed.contains(raw), field, "must be one of \(allowed.sorted().joined(separator: ", "))")
        columns.append((column, raw, "text"))
    }

    mutating func date(_ field: String, _ column: String) {
        guard case .some(let raw) = string(field, required: false) else { return }
        let value = raw.flatMap(ISODate.instant)
        check.check(raw == nil || value != nil, field, "must be an ISO-8601 time such as 2027-03-01T09:00:00Z")
        columns.append((column, value, "timestamptz"))
    }

    /// A calendar day (`YYYY-MM-DD`), or null; the parsed day when one was sent.
    @discardableResult
    mutating func day(_ field: String, _ column: String) -> Date?? {
        guard case .some(let raw) = string(field, required: false) else { return .none }
        let value = raw.flatMap { check.day($0, field) }
        columns.append((column, raw, "date"))
        return .some(value)
    }

    mutating func currency(_ field: String, _ column: String) {
        guard case .some(let raw) = string(field, required: true), let raw else { return }
        columns.append((column, check.currency(raw, field), "text"))
    }

    mutating func amount(_ field: String, _ column: String, max: Int64 = .max) {
        guard let value = fields[field] else { return }
        if case .null = value { return check.check(false, field, "cannot be cleared") }
        guard case .integer(let amount) = value, amount >= 0, amount <= max else {
            check.check(false, field, "must be a non-negative amount in minor units")
            return
        }
        columns.append((column, amount, "bigint"))
    }

    mutating func integer(_ field: String, _ column: String, _ range: ClosedRange<Int64>) {
        guard let value = fields[field] else { return }
        if case .null = value { return check.check(false, field, "cannot be cleared") }
        guard case .integer(let number) = value, range.contains(number) else {
            check.check(false, field, "must be from \(range.lowerBound) to \(range.upperBound)")
            return
        }
        columns.append((column, number, "integer"))
    }

    /// The columns the body sets, by column name.
    var columnNames: Set<String> { Set(columns.map(\.name)) }

    mutating func bool(_ field: String, _ column: String) {
        guard let value = fields[field] else { return }
        guard case .bool(let flag) = value else {
            check.check(false, field, "must be true or false")
            return
        }
        columns.append((column, flag, "boolean"))
    }

    /// Applies the edit to the row of the path's id (`idParameter`) once the fields are valid, in one
    /// transaction: `prepare` (locks and rules of the record), the UPDATE, and when it changed
    /// anything the audit row (`<singular table>.update`, with the columns whose value changed, and
    /// in `bookingId`'s history when the row is part of a booking) and `saved` (given those columns).
    /// `table` may carry the alias `json` (a `json` column) uses; 404 `No such {what}.` when there is
    /// no such row.
    func save(
        _ scope: RequestScope, table: String, json: String, what: String, idParameter: String = "id",
        bookingId: UUID? = nil, prepare: (PostgresConnection) throws -> Void = { _ in },
        saved: (PostgresConnection, Set<String>) throws -> Void = { _, _ in }
    ) throws -> Response {
        let id = try scope.pathId(what, parameter: idParameter)
        try check.finish()
        let update = reportingStatement(table: table, id: id, returning: json)
        let auditTable = String(table.prefix { $0 != " " })
        let row = try scope.transaction { connection -> String? in
            try prepare(connection)
            try connection.query(
                "SELECT 1 FROM \(auditTable) WHERE id = $1 FOR UPDATE", [id], context: "locking a \(what)")
            let result = try connection.query(update.sql, update.parameters, context: "editing a \(what)")
            guard let row = result.first("json") else { return nil }
            let changed = Self.columns(result.first("changed_columns"))
            guard !changed.isEmpty else { return row }
            try Audit.record(
                connection, scope, action: "\(auditTable.dropLast()).update", table: auditTable, rowId: id.lowercased,
                bookingId: bookingId, details: ["fields": .array(changed.sorted().map(JSONValue.string))])
            try saved(connection, changed)
            return row
        }
        guard let row else { throw APIError.notFound("No such \(what).") }
        return scope.ok(jsonText: row)
    }

    /// `statement`, answering after `returning` the columns whose value the edit changed, as one
    /// comma-separated text (`columns(_:)` reads it): the row as it was in the statement's snapshot.
    /// Lock the row before it (`save` does), so that snapshot holds what others committed meanwhile.
    func reportingStatement(table: String, id: UUID, returning: String, touch: Bool = true) -> SQLStatement {
        let parts = table.split(separator: " ").map(String.init)
        let (name, alias) = (parts[0], parts.count > 1 ? parts[1] : parts[0])
        let plain = statement(table: table, id: id, returning: returning, touch: touch)
        let changed = Self.changedColumns(columns.map(\.name), of: alias)
        return (
            "WITH prior AS (SELECT * FROM \(name) WHERE id = $1) \(plain.sql), \(changed) AS changed_columns",
            plain.parameters
        )
    }

    /// The RETURNING expression that names, comma-separated, which of `names` differ between the
    /// CTE `prior` (the row as it was) and `alias` (the row as updated). Names are constants.
    static func changedColumns(_ names: [String], of alias: String) -> String {
        let checks = names.map { "CASE WHEN prior.\($0) IS DISTINCT FROM \(alias).\($0) THEN '\($0)' END" }
        return "(SELECT array_to_string(ARRAY[\(checks.joined(separator: ", "))]::text[], ',') FROM prior)"
    }

    /// The changed columns `reportingStatement` answers.
    static func columns(_ text: String?) -> Set<String> {
        Set((text ?? "").split(separator: ",").map(String.init))
    }

    /// `UPDATE table SET … WHERE id = $1 RETURNING returning`, with `id` as the first parameter;
    /// `updated_at` is set too unless the table has none (`touch: false`).
    func statement(table: String, id: UUID, returning: String, touch: Bool = true) -> SQLStatement {
        var parameters: [(any SQLParameter)?] = [id]
        var sets: [String] = []
        for column in columns {
            parameters.append(column.value)
            sets.append("\(column.name) = $\(parameters.count)::\(column.cast)")
        }
        if touch { sets.append("updated_at = now()") }
        return ("UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = $1 RETURNING \(returning)", parameters)
    }
}
