import CPostgres
import Foundation

/// One libpq connection. Every query is a prepared statement, prepared on first use and kept
/// for the life of the connection; parameters are always bound, never spliced into SQL.
public final class PostgresConnection {
    private let handle: OpaquePointer
    private var statementNames: [String: String] = [:]
    private var queued: [(statement: SQLStatement, context: String)] = []
    /// NOTIFYs the current transaction asked for; `commit` sends them after COMMIT.
    var notificationsAfterCommit: [Notification] = []
    /// Whether a transaction begun with `begin` still waits for its `commit`.
    public private(set) var isInTransaction = false
    /// Whether the COMMIT of the last transaction went out: if the connection broke after that, the
    /// transaction may have committed, so its work must not run again.
    var commitSent = false
    /// Whether anything went to the server since `begin`: until then its BEGIN is only queued.
    private var sentSinceBegin = false
    /// Set when a batch failed half-sent or half-read: the protocol state is unknown.
    private var broken = false

    struct Notification: Equatable {
        let channel: String
        let payload: String
    }

    /// Connects to `url` (a libpq URI or `key=value` string). Fails fast: a 2-second connect
    /// timeout unless the URL sets its own.
    public init(url: String, applicationName: String = "itinera") throws {
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["2", applicationName, url]
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw StoreError(.unavailable, message: "out of memory", context: "connecting to PostgreSQL")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw StoreError(.unavailable, message: message, context: "connecting to PostgreSQL")
        }
        PQsetNoticeReceiver(connection, Self.noticeReceiver, nil)
        handle = connection
    }

    /// Server notices, and errors that arrive outside a query (the FATAL of a server shutting
    /// down), which libpq would print as bare text into the JSON logs: one JSON line each instead.
    private static let noticeReceiver: PQnoticeReceiver = { _, result in
        guard let result else { return }
        func field(_ code: Character) -> String {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) } ?? ""
        }
        let line: [String: String] = [
            "event": "postgres_notice", "level": field("V").lowercased(), "message": field("M"),
            "sqlState": field("C"), "pid": String(getpid()), "time": Date().formatted(.iso8601),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }

    deinit { PQfinish(handle) }

    /// Asks for `NOTIFY channel, payload` once the current transaction (`Database.transaction`) has
    /// committed; nothing is sent if it rolls back.
    public func notifyAfterCommit(channel: String, payload: String) {
        let notification = Notification(channel: channel, payload: payload)
        if !notificationsAfterCommit.contains(notification) { notificationsAfterCommit.append(notification) }
    }

    /// Queues `statement`, a write whose result nobody reads, to be sent in one round trip with the
    /// next statement that is waited for (`query`, `pipeline`, COMMIT). It runs in the same order
    /// and the same transaction as if sent now; only its failure is reported later, by that call,
    /// under `context`, and fails the transaction all the same.
    public func queue(_ statement: SQLStatement, context: String) {
        queued.append((statement, context))
    }

    /// Whether statements wait in the queue.
    var hasQueued: Bool { !queued.isEmpty }

    /// Forgets the queued statements, e.g. when a transaction starts.
    public func discardQueued() {
        queued = []
    }

    /// Begins a transaction whose BEGIN and `opening` statements (the tenant settings) are queued:
    /// they travel with the first statement of the body, so opening costs no round trip of its own.
    public func begin(opening: [SQLStatement]) {
        notificationsAfterCommit = []
        discardQueued()
        commitSent = false
        sentSinceBegin = false
        isInTransaction = true
        for statement in [("BEGIN", [])] + opening { queue(statement, context: "starting a transaction") }
    }

    /// Sends COMMIT, then the NOTIFYs the transaction asked for in a transaction of their own that
    /// does not wait for its WAL flush, in one round trip. A NOTIFY inside the transaction would hold
    /// PostgreSQL's database-wide notify lock until that transaction's commit is flushed, so every
    /// notifying transaction would wait for the fsync of the one before it. Losing the NOTIFY in a
    /// crash right after COMMIT only delays the work: the outbox worker also sweeps every second.
    public func commit(context: String) throws {
        _ = try finish(last: nil, context: context)
    }

    /// `commit` with `last`, the transaction's last statement, sent just before COMMIT in the same
    /// round trip; returns its result. If `last` fails, nothing is committed and the transaction is
    /// left to be rolled back.
    public func commit(after last: SQLStatement, context: String) throws -> QueryResult {
        try finish(last: last, context: context)!
    }

    private func finish(last: SQLStatement?, context: String) throws -> QueryResult? {
        let wakeUps: [SQLStatement] = notificationsAfterCommit.map {
            ("SELECT pg_notify($1, $2)", [$0.channel, $0.payload])
        }
        notificationsAfterCommit = []
        isInTransaction = false
        let results = try run(
            (last.map { [$0] } ?? []) + [("COMMIT", [])]
                + (wakeUps.isEmpty ? [] : Self.unflushedTransaction(wakeUps)), context: context, committing: true)
        let lastResult = try last.map { _ in try results[0].get() }
        _ = try results[last == nil ? 0 : 1].get()
        // Committed: a failure after this point only costs the wake-up (the worker's sweep finds
        // the work); a connection that broke meanwhile reports itself through `isHealthy`.
        if results.firstFailure != nil, isHealthy { rollback(context: "ending a failed NOTIFY") }
        return lastResult
    }

    /// Ends the current transaction with ROLLBACK (or nothing, outside one), dropping the queued
    /// statements first: what a rollback undoes need not be sent. A transaction from `begin` that
    /// sent nothing yet never started, so it ends without a round trip. Its own failure only means
    /// the connection broke, which `isHealthy` tells the next user.
    public func rollback(context: String) {
        let started = !isInTransaction || sentSinceBegin
        discardQueued()
        notificationsAfterCommit = []
        isInTransaction = false
        if started { _ = try? query("ROLLBACK", context: context) }
    }

    /// False once the connection has broken (server restart, network, a batch it could not finish):
    /// it must be replaced.
    public var isHealthy: Bool { !broken && PQstatus(handle) == CONNECTION_OK }

    /// Runs `sql` with `parameters` bound to `$1…` as a prepared statement.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any SQLParameter)?] = [], context: String) throws -> QueryResult {
        if !queued.isEmpty { return try pipeline([(sql, parameters)], context: context)[0].get() }
        let texts = parameters.map { $0?.sqlText }
        if texts.contains(where: { $0?.utf8.contains(0) == true }) {
            // libpq takes C strings: a NUL would silently cut the value short.
            throw StoreError(.query, sqlState: "22021", message: "a parameter contains a NUL byte", context: context)
        }
        let name = try preparedName(for: sql, parameterCount: parameters.count, context: context)
        sentSinceBegin = true
        let result = Self.withOptionalCStrings(texts) { pointers in
            PQexecPrepared(handle, name, Int32(texts.count), pointers, nil, nil, 0)
        }
        return try consume(result, context: context)
    }

    /// Sends `statements` in one batch (libpq pipeline mode) and reads all their results: one
    /// round trip instead of one per statement. A statement after a failed one is not run and
    /// reports the failure too. Use BEGIN/COMMIT as statements to make the batch one transaction.
    /// Queued statements go first; the failure of one of them is thrown.
    public func pipeline(_ statements: [SQLStatement], context: String) throws
        -> [Result<QueryResult, StoreError>]
    {
        try run(statements, context: context, committing: false)
    }

    /// `pipeline`; `committing` marks a batch with the transaction's COMMIT: `commitSent` is set
    /// once the batch goes out (not before: a statement that could not be prepared sent nothing),
    /// and a connection that breaks after some results came back reports the rest as failed
    /// instead of throwing, so that a COMMIT whose success was read is not taken for a failure.
    private func run(_ statements: [SQLStatement], context: String, committing: Bool) throws
        -> [Result<QueryResult, StoreError>]
    {
        let pending = queued
        queued = []
        let results = try send(pending.map(\.statement) + statements, context: context, committing: committing)
        for (result, item) in zip(results, pending) {
            if case .failure(let error) = result {
                throw StoreError(
                    error.kind, sqlState: error.sqlState, constraint: error.constraint, message: error.message,
                    context: item.context)
            }
        }
        return Array(results.dropFirst(pending.count))
    }

    private func send(_ statements: [SQLStatement], context: String, committing: Bool) throws
        -> [Result<QueryResult, StoreError>]
    {
        let texts = statements.map { $0.parameters.map { $0?.sqlText } }
        if texts.joined().contains(where: { $0?.utf8.contains(0) == true }) {
            // libpq takes C strings: a NUL would silently cut the value short. Checked before
            // anything of the batch is sent, so none of it runs.
            throw StoreError(.query, sqlState: "22021", message: "a parameter contains a NUL byte", context: context)
        }
        let names = try statements.map {
            try preparedName(for: $0.sql, parameterCount: $0.parameters.count, context: context)
        }
        sentSinceBegin = true
        if committing { commitSent = true }
        guard PQenterPipelineMode(handle) == 1 else {
            throw StoreError(kindForFailure(), message: Self.trimmed(PQerrorMessage(handle)), context: context)
        }
        defer { PQexitPipelineMode(handle) }
        for (parameters, name) in zip(texts, names) {
            let sent = Self.withOptionalCStrings(parameters) { pointers in
                PQsendQueryPrepared(handle, name, Int32(parameters.count), pointers, nil, nil, 0)
            }
            guard sent == 1 else { throw brokenBatch(context) }
        }
        guard PQpipelineSync(handle) == 1 else { throw brokenBatch(context) }
        var results: [Result<QueryResult, StoreError>] = []
        var firstError: StoreError?
        for _ in statements {
            // Each statement yields its result, then a NULL that ends it.
            guard let result = PQgetResult(handle) else {
                let error = brokenBatch(context)
                guard committing else { throw error }
                firstError = firstError ?? error
                results += Array(repeating: .failure(error), count: statements.count - results.count)
                return results
            }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                results.append(.failure(firstError ?? StoreError(.query, message: "not run", context: context)))
            } else {
                do {
                    results.append(.success(try consume(result, context: context)))
                } catch let error as StoreError {
                    firstError = firstError ?? error
                    results.append(.failure(error))
                }
            }
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point's own result.
        while let sync = PQgetResult(handle) {
            let status = PQresultStatus(sync)
            PQclear(sync)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if let firstError, firstError.kind == .unavailable, !committing { throw firstError }
        return results
    }

    /// Marks the connection broken after a batch could not be sent or read to its end.
    private func brokenBatch(_ context: String) -> StoreError {
        broken = true
        return StoreError(.unavailable, message: Self.trimmed(PQerrorMessage(handle)), context: context)
    }

    /// Runs a script of several statements without parameters (migration files only, never input).
    public func execute(script: String, context: String) throws {
        if !queued.isEmpty { _ = try pipeline([], context: context) }
        sentSinceBegin = true
        _ = try consume(PQexec(handle, script), context: context)
    }

    /// Waits up to `milliseconds` for NOTIFY messages (after `LISTEN`); returns how many arrived.
    /// Returns early, with 0, when a signal interrupts the wait.
    public func waitForNotifications(milliseconds: Int32) throws -> Int {
        var count = drainNotifications()
        if count > 0 { return count }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        guard ready > 0 else { return 0 }
        guard PQconsumeInput(handle) == 1 else {
            throw StoreError(.unavailable, message: Self.trimmed(PQerrorMessage(handle)), context: "waiting for NOTIFY")
        }
        count = drainNotifications()
        return count
    }

    private func drainNotifications() -> Int {
        var count = 0
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            count += 1
        }
        return count
    }

    private func preparedName(for sql: String, parameterCount: Int, context: String) throws -> String {
        if let name = statementNames[sql] { return name }
        let name = "itn_\(statementNames.count + 1)"
        _ = try consume(PQprepare(handle, name, sql, Int32(parameterCount), nil), context: context)
        statementNames[sql] = name
        return name
    }

    private func consume(_ result: OpaquePointer?, context: String) throws -> QueryResult {
        guard let result else {
            throw StoreError(kindForFailure(), message: Self.trimmed(PQerrorMessage(handle)), context: context)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result)
        default:
            let sqlState = PQresultErrorField(result, itn_pg_diag_sqlstate()).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            let constraint = PQresultErrorField(result, itn_pg_diag_constraint_name()).map { String(cString: $0) }
            throw StoreError(
                kindForFailure(sqlState), sqlState: sqlState, constraint: constraint, message: message, context: context
            )
        }
    }

    /// Class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash shutdown, cannot
    /// connect now) mean the server went away, as does a connection libpq reports broken.
    private func kindForFailure(_ sqlState: String? = nil) -> StoreError.Kind {
        if PQstatus(handle) != CONNECTION_OK { return .unavailable }
        if let sqlState, sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) {
            return .unavailable
        }
        return .query
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        withOptionalCStrings(strings.map(Optional.some), body)
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
    }
}

extension PostgresConnection {
    /// `statements` as one transaction whose COMMIT does not wait for its WAL flush, for a pipeline:
    /// for writes a crash may lose because they only save work (a wake-up NOTIFY, an outbox done mark).
    public static func unflushedTransaction(_ statements: [SQLStatement]) -> [SQLStatement] {
        [("BEGIN", []), ("SET LOCAL synchronous_commit TO off", [])] + statements + [("COMMIT", [])]
    }
}

extension Array where Element == Result<QueryResult, StoreError> {
    /// The first failure among a pipeline's results.
    public var firstFailure: StoreError? {
        lazy.compactMap { if case .failure(let error) = $0 { return error } else { return nil } }.first
    }
}
