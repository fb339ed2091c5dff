import Foundation
import ItineraCore
import ItineraCrypto
import ItineraHTTP

/// One page of a list in a stable order (keyset pagination): a bounded `limit`, and `cursor`, the
/// sort key of the last row shown (e.g. its creation time and id) as base64url-encoded JSON, opaque
/// to clients. A list selects `fetch` rows: the item's JSON first, then the key's parts as text; the
/// extra row only tells that a next page exists. Keyset paging, with an index in the list's order,
/// reads page 500 as fast as page 1 and never skips or repeats a row when rows are added between.
struct ListPage {
    /// How to tell whether a cursor's key part is of the right kind, before it reaches SQL.
    typealias Part = @Sendable (String) -> Bool

    let limit: Int
    /// The key of the last row of the previous page; nil on the first page.
    private let after: [String]?

    init(
        _ query: [String: String], _ check: inout Validation, key: [Part], defaultLimit: Int = 50, maxLimit: Int = 200
    ) {
        limit = query["limit"].map { Int($0) ?? -1 } ?? defaultLimit
        check.check((1...maxLimit).contains(limit), "limit", "must be from 1 to \(maxLimit)")
        let parts = query["cursor"].map(Self.decode)
        let valid = parts.map { $0.map { $0.count == key.count && zip($0, key).allSatisfy { $1($0) } } ?? false }
        check.check(valid ?? true, "cursor", "is not a cursor from this list")
        after = valid == true ? parts! : nil
    }

    /// Rows to select: one more than the page shows.
    var fetch: Int { limit + 1 }

    /// Part `index` of the previous page's last key (nil on the first page), as a parameter.
    func after(_ index: Int) -> String? { after?[index] }

    /// The condition that starts this page: on later pages `(columns) < (parameters)` (`>` for an
    /// ascending list); on the first page one that only names the parameters (NULL there). Two
    /// statement texts rather than one `$n IS NULL OR …`: a prepared statement's generic plan cannot
    /// drop that OR, and would then read every page from the list's start instead of seeking.
    /// `columns` must be plain columns (or leakproof expressions): under row-level security only
    /// those can bound an index scan.
    func condition(_ columns: String, descending: Bool, _ parameters: [String]) -> String {
        guard after != nil else { return parameters.map { "\($0) IS NULL" }.joined(separator: " AND ") }
        return "(\(columns)) \(descending ? "<" : ">") (\(parameters.joined(separator: ", ")))"
    }

    /// `{"items":[…],"nextCursor":…}` from the selected rows.
    func answer(_ rows: [[String?]]) -> String {
        let page = rows.prefix(limit)
        let items = page.compactMap { $0[0] }.joined(separator: ",")
        guard rows.count > limit, let last = page.last else { return "{\"items\":[\(items)],\"nextCursor\":null}" }
        let key = JSONWriter.bytes(.array(last.dropFirst().map { .string($0 ?? "") }))
        return "{\"items\":[\(items)],\"nextCursor\":\"\(Base64URL.encode(key))\"}"
    }

    static let instant: Part = { ISODate.instant($0) != nil }
    static let day: Part = { $0 == "infinity" || ISODate.day($0) != nil }
    static let uuid: Part = { UUID(parsing: $0) != nil }
    static let integer: Part = { Int64($0) != nil }
    static let text: Part = { _ in true }

    private static func decode(_ encoded: String) -> [String]? {
        let base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard encoded.utf8.count <= 2048,
            let data = Data(
                base64Encoded: base64.padding(toLength: (base64.count + 3) / 4 * 4, withPad: "=", startingAt: 0))
        else { return nil }
        return try? JSONDecoder().decode([String].self, from: data)
    }
}
