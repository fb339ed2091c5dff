import ItineraStore

/// Follow-up work for one type of outbox event. Runs inside a transaction that also records its
/// success, so a handler that succeeded is never run again for the same event; it must still be
/// idempotent in its effects (unique keys on `source_event_id`), the second wall against duplicates.
public protocol OutboxHandler: Sendable {
    /// Stable name, recorded per event in `outbox_handler_runs`.
    var name: String { get }
    /// Whether `event` is work for this handler, decided from the event alone (so every run of the
    /// event decides the same). A handler that does not apply costs the event no transaction and
    /// records nothing. By default every event of the handler's type applies.
    func applies(to event: OutboxEvent) -> Bool
    func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws
}

extension OutboxHandler {
    public func applies(to event: OutboxEvent) -> Bool { true }
}

/// A handler's own failure, recorded as the event's last error.
public struct HandlerFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
