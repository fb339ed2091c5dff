import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Collects field errors so one 400 names every field at fault.
struct Validation {
    /// The rule for an id of a row the caller's team does not have (unknown, or another team's).
    static let notOurs = "must be an existing record of your team"

    private(set) var errors: [String: String] = [:]

    mutating func check(_ ok: Bool, _ field: String, _ message: String) {
        if !ok && errors[field] == nil { errors[field] = message }
    }

    /// A required UUID; nil (and an error) when absent or malformed.
    mutating func uuid(_ text: String?, _ field: String, required: Bool = true) -> UUID? {
        guard let text else {
            check(!required, field, "is required")
            return nil
        }
        let id = UUID(parsing: text)
        check(id != nil, field, "must be an id")
        return id
    }

    /// A calendar day `YYYY-MM-DD` (see `ISODate.day`); nil when absent or not a real day.
    mutating func day(_ text: String?, _ field: String, example: String = "2027-03-01") -> Date? {
        guard let text else { return nil }
        let date = ISODate.midnight(of: text)
        check(date != nil, field, "must be a date such as \(example)")
        return date
    }

    /// Trimmed text within `range` characters, counted as PostgreSQL's `char_length` does (code
    /// points, which the CHECK constraints use); nil when absent.
    mutating func text(_ value: String?, _ field: String, _ range: ClosedRange<Int>, required: Bool = false) -> String?
    {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let trimmed, !trimmed.isEmpty else {
            check(!required, field, "is required")
            return nil
        }
        check(
            range.contains(trimmed.unicodeScalars.count), field,
            "must be \(range.lowerBound) to \(range.upperBound) characters")
        return trimmed
    }

    mutating func currency(_ value: String?, _ field: String) -> String? {
        guard let value else {
            check(false, field, "is required")
            return nil
        }
        check(CurrencyCodes.all.contains(value), field, "must be an ISO-4217 currency code such as EUR")
        return value
    }

    /// An address as the database's CHECK has it: one `@`, no white space, a dot inside the domain.
    mutating func email(_ value: String?, _ field: String) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let domain = parts.count == 2 ? parts[1].split(separator: ".", omittingEmptySubsequences: false) : []
        check(
            parts.count == 2 && !parts[0].isEmpty && domain.count >= 2 && domain.first?.isEmpty == false
                && domain.last?.isEmpty == false && value.unicodeScalars.count <= 254
                && !value.unicodeScalars.contains(where: CharacterSet.whitespacesAndNewlines.contains), field,
            "must be an e-mail address")
        return value
    }

    /// A phone number as people write one (digits, spaces, `+-()`, at most 40), trimmed; nil when
    /// absent or blank.
    mutating func phone(_ value: String?, _ field: String) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        check(
            value.count <= 40 && value.allSatisfy { ($0.isASCII && $0.isNumber) || " +-()".contains($0) }, field,
            "must be a phone number")
        return value
    }

    /// Throws the collected errors as one 400 `validation_failed`.
    func finish() throws {
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
func likePattern(_ text: String) -> String {
    "%"
        + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_") + "%"
}

extension PostgresConnection {
    /// A row of `table` (a constant of the calling handler) the caller's team can see, else a 400
    /// naming `field`.
    func requireRow(_ table: String, _ id: UUID, _ field: String) throws {
        guard !(try query("SELECT 1 FROM \(table) WHERE id = $1", [id], context: "checking \(field)")).rows.isEmpty
        else { throw APIError.validation([field: Validation.notOurs]) }
    }
}
