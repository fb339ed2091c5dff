import Foundation
import ItineraPayments

/// Settings of `itinera worker`, from the environment.
public struct WorkerConfig: Sendable {
    /// The owner role's URL: the worker serves every team, beside row-level security.
    public var databaseURL: String
    /// Attempts before an event is marked dead (`ITINERA_OUTBOX_MAX_ATTEMPTS`, default 8).
    public var maxAttempts: Int
    /// First retry delay; doubles per attempt, with jitter (`ITINERA_OUTBOX_BACKOFF_MS`, default 1000).
    public var backoffMilliseconds: Int
    /// How long a claimed event stays claimed before another worker may take it over, should this
    /// one die (`ITINERA_OUTBOX_LEASE_SECONDS`, default 60).
    public var leaseSeconds: Int
    /// Events claimed per round.
    public var batchSize: Int
    /// Registers the diagnostic handlers (`ITINERA_WORKER_TEST_HANDLERS=1`).
    public var testHandlers: Bool
    /// Test hook: pause between running the handlers and marking the event done.
    public var pauseBeforeDoneMilliseconds: Int
    /// nginx's nchan publisher socket (`ITINERA_NCHAN_PUBLISH_SOCKET`); nil: no live delivery.
    public var nchanPublishSocket: String?
    /// Where nginx answers (`ITINERA_BASE_URL`, e.g. `http://127.0.0.1:8080`): the sandbox checkout
    /// delivers its webhooks there, through nginx, as a provider would.
    public var baseURL: String?
    /// The sandbox's signing secret (the first of `ITINERA_SANDBOX_WEBHOOK_SECRET`), when
    /// `ITINERA_SANDBOX_PAYMENTS=1`.
    public var sandboxWebhookSecret: String?
    /// The payment providers (the same settings as the API's), for refunds.
    public var providers = PaymentProviders([])

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> WorkerConfig
    {
        func number(_ name: String, _ fallback: Int) -> Int {
            environment[name].flatMap(Int.init).map { max(0, $0) } ?? fallback
        }
        let url =
            environment["DATABASE_OWNER_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["DATABASE_URL"] ?? "postgresql:///itinera"
        let providers = PaymentProviders.fromEnvironment(environment)
        var config = WorkerConfig(
            databaseURL: url, maxAttempts: max(1, number("ITINERA_OUTBOX_MAX_ATTEMPTS", 8)),
            backoffMilliseconds: number("ITINERA_OUTBOX_BACKOFF_MS", 1000),
            leaseSeconds: max(1, number("ITINERA_OUTBOX_LEASE_SECONDS", 60)), batchSize: 50,
            testHandlers: environment["ITINERA_WORKER_TEST_HANDLERS"] == "1",
            pauseBeforeDoneMilliseconds: number("ITINERA_WORKER_PAUSE_BEFORE_DONE_MS", 0),
            nchanPublishSocket: environment["ITINERA_NCHAN_PUBLISH_SOCKET"].flatMap { $0.isEmpty ? nil : $0 },
            baseURL: environment["ITINERA_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }.map {
                $0.hasSuffix("/") ? String($0.dropLast()) : $0
            },
            sandboxWebhookSecret: providers["sandbox"]?.webhookSecrets.first)
        config.providers = providers
        return config
    }
}
