import Foundation
import ItineraCore

/// One row of `outbox_events` as the worker claimed it.
public struct OutboxEvent: Sendable {
    public let id: Int64
    public let teamId: UUID?
    public let type: String
    public let aggregateId: UUID?
    /// The payload's string members (the outbox writes ids and statuses as strings).
    public let payload: [String: String]
    /// Attempts so far, this one included.
    public let attempts: Int
    /// When this claim's lease runs out, as PostgreSQL wrote it: while the row still shows it, the
    /// event is this worker's (another claim, a retry or a backoff would have moved it).
    public let leaseEnd: String

    init(row: [String?]) {
        id = Int64(row[0] ?? "") ?? 0
        teamId = row[1].flatMap(UUID.init(parsing:))
        type = row[2] ?? ""
        aggregateId = row[3].flatMap(UUID.init(parsing:))
        let object =
            (row[4].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]) ?? [:]
        payload = object.compactMapValues { $0 as? String }
        attempts = Int(row[5] ?? "") ?? 0
        leaseEnd = row[6] ?? ""
    }
}
