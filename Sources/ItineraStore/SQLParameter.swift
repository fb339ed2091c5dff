import Foundation

/// One statement with the values for its `$1`, `$2`, … placeholders.
public typealias SQLStatement = (sql: String, parameters: [(any SQLParameter)?])

/// A value bound to a `$n` placeholder, sent in PostgreSQL's text format.
public protocol SQLParameter: Sendable {
    var sqlText: String { get }
}

extension String: SQLParameter { public var sqlText: String { self } }
extension Int: SQLParameter { public var sqlText: String { String(self) } }
extension Int64: SQLParameter { public var sqlText: String { String(self) } }
extension Int32: SQLParameter { public var sqlText: String { String(self) } }
extension Bool: SQLParameter { public var sqlText: String { self ? "true" : "false" } }
extension UUID: SQLParameter { public var sqlText: String { uuidString.lowercased() } }
extension Date: SQLParameter {
    public var sqlText: String { formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
}
/// A `text[]` literal with every element quoted, so commas, braces, quotes and backslashes stay
/// inside their element.
extension Array: SQLParameter where Element == String {
    public var sqlText: String {
        let quoted = map {
            "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}
