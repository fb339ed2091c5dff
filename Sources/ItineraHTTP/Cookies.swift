import Foundation

/// Parsing of the `Cookie` request header.
public enum Cookies {
    /// Name/value pairs of a `Cookie` header; the first of repeated names wins, surrounding quotes are removed.
    public static func parse(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingCharacters(in: .whitespaces)
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            if !name.isEmpty, result[name] == nil { result[name] = value }
        }
        return result
    }
}
