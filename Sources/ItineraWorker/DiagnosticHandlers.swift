import ItineraStore

/// Handlers registered only with `ITINERA_WORKER_TEST_HANDLERS=1`, for the integration tests of the
/// outbox itself: one that always fails, and one that records each run in `outbox_test_effects`.
enum DiagnosticHandlers {
    struct AlwaysFails: OutboxHandler {
        let name = "test.always_fails"
        func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
            throw HandlerFailure("this handler always fails (event \(event.id), attempt \(event.attempts))")
        }
    }

    struct CountsRuns: OutboxHandler {
        let name = "test.counts_runs"
        func handle(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
            try connection.query(
                "INSERT INTO outbox_test_effects (event_id) VALUES ($1)", [event.id], context: "recording a test effect"
            )
        }
    }

    static let byType: [String: [OutboxHandler]] = ["test.fail": [AlwaysFails()], "test.count": [CountsRuns()]]
}
