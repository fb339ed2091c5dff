import CSupport
import Foundation
import ItineraCore
import ItineraStore

/// `itinera worker`: drains `outbox_events`. Wakes on NOTIFY and sweeps every second; claims due
/// events with `FOR UPDATE SKIP LOCKED` (so several workers share the work) under a lease; runs each
/// event's handlers, each in its own transaction with its recorded outcome; retries failures with
/// exponential backoff and jitter and marks an event dead after `maxAttempts`. SIGTERM/SIGINT:
/// finishes the current event, hands the rest of its batch back and exits.
public final class OutboxWorker {
    let config: WorkerConfig
    let handlers: [String: [OutboxHandler]]
    private var connection: PostgresConnection?
    private var lastHousekeeping = Date.distantPast
    /// Claimed events not finished yet, in order. A stop, or a
    /// connection that broke, hands them back (`handBack`) instead of leaving them to their lease.
    private var held: [OutboxEvent] = []
    /// The held event whose handlers are running.
    private var running: Int64?

    public init(config: WorkerConfig, handlers: [String: [OutboxHandler]]? = nil) {
        self.config = config
        var registry =
            handlers ?? [
                "booking.status_changed": Automations.statusChanged,
                "booking.items_changed": [Automations.ItemsChangedNotification()],
                "booking.supplier_answered": [Automations.SupplierAnswerNotification()],
            ]
        if let socket = config.nchanPublishSocket, handlers == nil {
            let live = LivePublisher(socket: socket)
            for type in ["notification.created", "notification.updated", "notification.deleted", "live.streams_ended"] {
                registry[type] = [live]
            }
        }
        if handlers == nil {
            registry["payment.refund_requested"] = [
                ProviderRefunds(providers: config.providers, maxAttempts: config.maxAttempts)
            ]
        }
        if let baseURL = config.baseURL, let secret = config.sandboxWebhookSecret, handlers == nil {
            registry["payment.sandbox_webhook"] = [SandboxWebhookDelivery(baseURL: baseURL, secret: secret)]
        }
        if config.testHandlers { registry.merge(DiagnosticHandlers.byType) { $1 } }
        self.handlers = registry
    }

    public func run() -> Int32 {
        itn_signal_catch(SIGTERM)
        itn_signal_catch(SIGINT)
        itn_signal_ignore(SIGPIPE)
        log("worker_started", ["handlers": handlers.keys.sorted().joined(separator: ",")])
        while !stopRequested {
            do {
                let connection = try open()
                try handBack(connection)
                try housekeeping(connection)
                held = try claim(connection)
                if held.isEmpty { _ = try connection.waitForNotifications(milliseconds: 1000) }
                while let event = held.first {
                    running = event.id
                    try process(event, connection)
                    running = nil
                    held.removeFirst()
                    if stopRequested { break }
                }
            } catch let error as StoreError where error.kind == .unavailable {
                log("database_unavailable", ["error": "\(error)"])
                connection = nil
                usleep(1_000_000)
            } catch {
                log("worker_error", ["error": "\(error)"])
                // An event that fails this way keeps its lease: handed back, it could fail again at once.
                if let failed = running { held.removeAll { $0.id == failed } }
                running = nil
                connection = nil
                usleep(500_000)
            }
        }
        if !held.isEmpty { handBackBeforeExit() }
        log("worker_stopped", [:])
        return 0
    }

    /// At a stop, hands the batch back even when the connection just broke (the database restarting):
    /// tries for about eight seconds (within `scripts/stack worker-stop`'s wait), then leaves the
    /// events to their lease.
    private func handBackBeforeExit() {
        for attempt in 1...8 {
            do {
                try handBack(try open())
                return
            } catch let error as StoreError where error.kind == .unavailable {
                connection = nil
                if attempt < 8 { usleep(1_000_000) }
            } catch {
                log("hand_back_failed", ["error": "\(error)"])
                return
            }
        }
        log("hand_back_failed", ["error": "the database stayed unreachable", "events": String(held.count)])
    }

    /// Makes the held events due again, so a stop or a database restart does not delay them by a
    /// lease: those never started at once, with their attempt given back; the one that was running
    /// after its retry backoff, as a failed attempt. Only events whose row still shows this claim's
    /// lease end are touched: one another worker claimed, an admin retried or a retry was scheduled
    /// for has moved on.
    private func handBack(_ connection: PostgresConnection) throws {
        guard !held.isEmpty else { return }
        let retryAfter = held.first { $0.id == running }.map { backoff(after: $0.attempts) } ?? 0
        do {
            try connection.query(
                """
                UPDATE outbox_events e
                SET next_attempt_at = CASE WHEN e.id = $3 THEN now() + make_interval(secs => $4) ELSE now() END,
                    attempts = e.attempts - CASE WHEN e.id = $3 THEN 0 ELSE 1 END
                FROM unnest($1::text[]::bigint[], $2::text[]::timestamptz[]) AS h(id, lease_end)
                WHERE e.id = h.id AND e.next_attempt_at = h.lease_end AND e.status = 'pending'
                """, [held.map { String($0.id) }, held.map(\.leaseEnd), running ?? 0, String(retryAfter)],
                context: "handing claimed events back")
        } catch let error as StoreError where error.kind == .unavailable {
            throw error  // tried again on the next connection
        } catch {
            (held, running) = ([], nil)  // left to their lease
            throw error
        }
        log("events_handed_back", ["count": String(held.count)])
        (held, running) = ([], nil)
    }

    private var stopRequested: Bool {
        itn_signals_peek() & (1 << UInt(SIGTERM) | 1 << UInt(SIGINT)) != 0
    }

    private func open() throws -> PostgresConnection {
        if let connection, connection.isHealthy { return connection }
        let fresh = try PostgresConnection(url: config.databaseURL, applicationName: "itinera-worker")
        try fresh.query("LISTEN \(OutboxWakeUp.channel)", context: "listening for outbox events")
        connection = fresh
        return fresh
    }

    /// Every ten minutes: forget idempotency keys after 7 days (they are promised for 24 h) and
    /// login attempts after a day (throttling looks back 15 minutes).
    private func housekeeping(_ connection: PostgresConnection) throws {
        guard Date().timeIntervalSince(lastHousekeeping) > 600 else { return }
        lastHousekeeping = Date()
        let webhooks = try connection.query(
            "DELETE FROM payment_webhook_events WHERE received_at < now() - interval '30 days'",
            context: "expiring payment webhooks")
        let keys = try connection.query(
            "DELETE FROM idempotency_keys WHERE created_at < now() - interval '7 days'",
            context: "expiring idempotency keys")
        let attempts = try connection.query(
            "DELETE FROM login_attempts WHERE attempted_at < now() - interval '1 day'",
            context: "expiring login attempts")
        if keys.affectedRows + attempts.affectedRows + webhooks.affectedRows > 0 {
            log(
                "housekeeping",
                [
                    "idempotencyKeys": String(keys.affectedRows), "loginAttempts": String(attempts.affectedRows),
                    "paymentWebhooks": String(webhooks.affectedRows),
                ])
        }
    }

    private func claim(_ connection: PostgresConnection) throws -> [OutboxEvent] {
        try connection.query(
            """
            WITH due AS (
                SELECT id FROM outbox_events
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox_events e
            SET attempts = e.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
            FROM due WHERE e.id = due.id
            RETURNING e.id, e.team_id, e.type, e.aggregate_id, e.payload::text, e.attempts, e.next_attempt_at::text
            """, [config.batchSize, config.leaseSeconds], context: "claiming outbox events"
        ).rows.map(OutboxEvent.init(row:)).sorted { $0.id < $1.id }
    }

    private func process(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        let started = Date()
        var failures: [String] = []
        for handler in handlers[event.type] ?? [] where handler.applies(to: event) {
            if let failure = try run(handler, event, connection) { failures.append("\(handler.name): \(failure)") }
        }
        if config.pauseBeforeDoneMilliseconds > 0 { usleep(UInt32(config.pauseBeforeDoneMilliseconds) * 1000) }
        let outcome: String
        if failures.isEmpty {
            outcome = "done"
            try markDone(event, connection)
        } else if event.attempts >= config.maxAttempts {
            outcome = "dead"
            try connection.query(
                "UPDATE outbox_events SET status = 'dead', processed_at = now(), last_error = $2 WHERE id = $1",
                [event.id, failures.joined(separator: "; ")], context: "marking an event dead")
        } else {
            outcome = "retry"
            try connection.query(
                """
                UPDATE outbox_events SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3
                WHERE id = $1
                """, [event.id, String(backoff(after: event.attempts)), failures.joined(separator: "; ")],
                context: "scheduling a retry")
        }
        log(
            "outbox_delivery",
            [
                "eventId": String(event.id), "type": event.type, "attempt": String(event.attempts), "outcome": outcome,
                "durationMs": String(Int(Date().timeIntervalSince(started) * 1000)),
            ])
    }

    /// The done mark does not wait for its WAL flush (half the fsyncs of an event with one handler):
    /// lost in a crash, it only lets the event run again, and every handler that succeeded is
    /// skipped by its recorded outcome, committed durably with its effect.
    private func markDone(_ event: OutboxEvent, _ connection: PostgresConnection) throws {
        let done: SQLStatement = (
            "UPDATE outbox_events SET status = 'done', processed_at = now(), last_error = NULL WHERE id = $1",
            [event.id]
        )
        let results = try connection.pipeline(
            PostgresConnection.unflushedTransaction([done]), context: "marking an event done")
        if let failure = results.firstFailure {
            connection.rollback(context: "ending a failed done mark")
            throw failure
        }
    }

    /// Runs one handler unless it already succeeded for this event; returns its error, if any.
    private func run(_ handler: OutboxHandler, _ event: OutboxEvent, _ connection: PostgresConnection) throws -> String?
    {
        // BEGIN and the outcome row are queued: each travels with the statement after it. COMMIT
        // sends the NOTIFYs the handler asked for after it (`PostgresConnection.commit`).
        connection.begin(opening: [])
        do {
            let previous = try connection.query(
                "SELECT status FROM outbox_handler_runs WHERE event_id = $1 AND handler = $2 FOR UPDATE",
                [event.id, handler.name], context: "checking a handler's outcome")
            if previous.first("status") == "done" {
                try connection.commit(context: "skipping a finished handler")
                return nil
            }
            try handler.handle(event, connection)
            connection.queue(
                (
                    """
                    INSERT INTO outbox_handler_runs (event_id, handler, status) VALUES ($1, $2, 'done')
                    ON CONFLICT (event_id, handler) DO UPDATE
                    SET status = 'done', attempts = outbox_handler_runs.attempts + 1, last_error = NULL,
                        updated_at = now()
                    """, [event.id, handler.name]
                ), context: "recording a handler's success")
            try connection.commit(context: "committing a handler")
            return nil
        } catch let error as StoreError where error.kind == .unavailable {
            throw error
        } catch {
            connection.rollback(context: "rolling back a handler")
            let message = String(describing: error)
            try connection.query(
                """
                INSERT INTO outbox_handler_runs (event_id, handler, status, last_error) VALUES ($1, $2, 'failed', $3)
                ON CONFLICT (event_id, handler) DO UPDATE
                SET status = 'failed', attempts = outbox_handler_runs.attempts + 1, last_error = $3, updated_at = now()
                """, [event.id, handler.name, message], context: "recording a handler's failure")
            return message
        }
    }

    /// Seconds before attempt `attempts + 1`: base × 2^(attempts-1), at most an hour, ±25 % jitter.
    func backoff(after attempts: Int) -> Double {
        let base = Double(config.backoffMilliseconds) / 1000 * pow(2, Double(max(0, attempts - 1)))
        return min(3600, base) * Double.random(in: 0.75...1.25)
    }

    private func log(_ event: String, _ fields: [String: String]) {
        var line = fields
        line["event"] = event
        line["pid"] = String(getpid())
        line["time"] = Date().formatted(.iso8601)
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
