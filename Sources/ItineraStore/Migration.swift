import Foundation
import ItineraCrypto

/// One numbered SQL file of `migrations/`, e.g. `0003_bookings.sql`.
public struct Migration: Equatable, Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    public let sha256: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.sha256 = SHA256.hex(Array(sql.utf8))
    }

    /// Reads every `.sql` file of `directory`, in version order. A `.sql` file that is not named
    /// `NNNN_name.sql`, or two files with one version, is an error rather than a silent skip.
    public static func load(from directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(.migration, message: "cannot read \(directory)", context: "loading migrations")
        }
        var migrations: [Migration] = []
        for fileName in names where fileName.hasSuffix(".sql") {
            guard let (version, name) = parse(fileName: fileName) else {
                throw StoreError(
                    .migration, message: "\(fileName) is not named NNNN_name.sql", context: "loading migrations")
            }
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path), let sql = String(data: data, encoding: .utf8)
            else {
                throw StoreError(.migration, message: "cannot read \(fileName) as UTF-8", context: "loading migrations")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return try ordered(migrations)
    }

    /// Sorts by version and refuses duplicate versions.
    public static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw StoreError(
                .migration, message: "two migrations have version \(next.version)", context: "loading migrations")
        }
        return sorted
    }

    /// `0012_add_payments.sql` → (12, "add_payments"); nil for any other shape.
    public static func parse(fileName: String) -> (Int, String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count >= 4, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let version = Int(digits), version > 0,
            !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        return (version, String(name))
    }
}
