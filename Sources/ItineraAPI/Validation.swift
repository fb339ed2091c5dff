import Foundation
import ItineraHTTP

/// Collects field errors so one 400 names every field at fault.
struct Validation {
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
        let id = UUID(uuidString: text)
        check(id != nil, field, "must be an id")
        return id
    }

    /// Trimmed text within `range` characters; nil when absent.
    mutating func text(_ value: String?, _ field: String, _ range: ClosedRange<Int>, required: Bool = false) -> String?
    {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let trimmed, !trimmed.isEmpty else {
            check(!required, field, "is required")
            return nil
        }
        check(range.contains(trimmed.count), field, "must be \(range.lowerBound) to \(range.upperBound) characters")
        return trimmed
    }

    mutating func currency(_ value: String?, _ field: String) -> String? {
        guard let value else {
            check(false, field, "is required")
            return nil
        }
        check(
            value.count == 3 && value.allSatisfy { $0.isASCII && $0.isUppercase }, field,
            "must be an ISO-4217 code such as EUR")
        return value
    }

    mutating func email(_ value: String?, _ field: String) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let parts = value.split(separator: "@")
        check(
            parts.count == 2 && parts[1].contains(".") && value.count <= 254 && !value.contains(" "), field,
            "must be an e-mail address")
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
