import Foundation

extension UUID {
    /// The canonical lower-case form PostgreSQL prints and the API returns.
    var lowercased: String { uuidString.lowercased() }
}
