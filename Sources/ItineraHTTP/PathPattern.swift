/// A route's path pattern split once into literal segments and `{name}` parameters, e.g.
/// `/api/bookings/{id}/items`. Not generic, so matching runs as plain specialized code: routing
/// is on every request's path.
struct PathPattern: Sendable {
    enum Segment: Equatable, Sendable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]
    /// How many of its segments are literal: of the patterns a path fits, only the most literal
    /// ones count, so `/api/payments/webhook` is never taken for `/api/payments/{id}`.
    let literals: Int

    init(_ pattern: String) {
        segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        literals = segments.count { if case .literal = $0 { true } else { false } }
    }

    static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The decoded parameters when `parts` (a split path) fits this pattern, else nil.
    func bind(_ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        // Literals first: most patterns are told apart by them, before any parameter is decoded.
        for index in segments.indices {
            if case .literal(let literal) = segments[index], parts[index] != literal { return nil }
        }
        var parameters: [String: String] = [:]
        for index in segments.indices {
            if case .parameter(let name) = segments[index] {
                parameters[name] = FormEncoding.percentDecode(String(parts[index]))
            }
        }
        return parameters
    }
}
