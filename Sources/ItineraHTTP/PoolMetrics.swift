import Foundation

/// Request counters and latency histograms shared by all workers of one pool.
///
/// The supervisor creates one shared-memory file (memfd) and hands it to every worker as fd 3
/// with `ITINERA_METRICS_FD=3` and a slot number in `ITINERA_WORKER_SLOT`. Each worker writes
/// only its own slot (single writer, aligned 64-bit stores), and whichever worker answers
/// `/api/metrics` sums all slots, so one scrape sees the whole pool. A respawned worker takes
/// over the slot of the one it replaces and keeps counting from there. Without the file
/// (plain CGI, another FastCGI manager) the counters are private to the process.
public final class PoolMetrics: @unchecked Sendable {
    /// Status codes counted separately; anything else is counted as `other`.
    public static let statuses = [200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503]
    /// Upper bounds of the latency buckets, in seconds (the last bucket is +Inf).
    public static let bucketBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Most workers one pool can have.
    public static let maxSlots = 256
    /// Most routes a table can have; requests that matched no route have a row of their own.
    public static let maxRoutes = 255

    private static let magic: UInt64 = 0x4954_4E4D_4554_5231  // "ITNMETR1"
    private static let headerWords = 8
    private static let statusColumns = statuses.count + 1
    private static let bucketColumns = bucketBounds.count + 1
    private static let rows = maxRoutes + 1
    /// Per slot: fingerprint, then counts, buckets and the duration sum (microseconds) per row.
    private static let slotWords = 1 + rows * (statusColumns + bucketColumns + 1)
    /// Bytes the shared file must have.
    public static let byteSize = (headerWords + maxSlots * slotWords) * 8

    private let words: UnsafeMutablePointer<UInt64>
    private let slot: Int?
    private let fingerprint: UInt64
    private let routeLabels: [(method: String, pattern: String)]

    /// Metrics over `memory` (at least `byteSize` bytes, zeroed or from an earlier run of the same
    /// layout), writing into `slot`, for a route table whose labels are `routes` in index order.
    /// The supervisor passes no slot: it writes only the pool-wide header.
    public init(memory: UnsafeMutableRawPointer, slot: Int?, routes: [(method: String, pattern: String)]) {
        precondition((slot ?? 0) >= 0 && (slot ?? 0) < Self.maxSlots && routes.count <= Self.maxRoutes)
        words = memory.bindMemory(to: UInt64.self, capacity: Self.byteSize / 8)
        self.slot = slot
        routeLabels = routes
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in routes.map({ "\($0.method) \($0.pattern)\n" }).joined().utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        fingerprint = hash
        if words[0] != Self.magic { words[0] = Self.magic }
        guard let slot else { return }
        let base = slotBase(slot)
        if words[base] != fingerprint {
            (base..<base + Self.slotWords).forEach { words[$0] = 0 }
            words[base] = fingerprint
        }
    }

    /// Metrics for this process: the pool's shared file when the supervisor passed one, else private memory.
    public static func forCurrentProcess(routes: [(method: String, pattern: String)]) -> PoolMetrics {
        let environment = ProcessInfo.processInfo.environment
        if let fdText = environment["ITINERA_METRICS_FD"], let fd = Int32(fdText),
            let slotText = environment["ITINERA_WORKER_SLOT"], let slot = Int(slotText), slot < maxSlots,
            let memory = mmap(nil, byteSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), memory != MAP_FAILED
        {
            return PoolMetrics(memory: memory, slot: slot, routes: routes)
        }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: byteSize, alignment: 8)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteSize)
        return PoolMetrics(memory: memory, slot: 0, routes: routes)
    }

    /// Counts one answered request; `route` is the route index, or nil when no route matched.
    public func record(route: Int?, status: Int, seconds: Double) {
        guard let slot else { return }
        let row = min(route ?? Self.maxRoutes, Self.maxRoutes)
        let column = Self.statuses.firstIndex(of: status) ?? Self.statuses.count
        let base = rowBase(slot, row)
        words[base + column] &+= 1
        let bucket = Self.bucketBounds.firstIndex { seconds <= $0 } ?? Self.bucketBounds.count
        words[base + Self.statusColumns + bucket] &+= 1
        words[base + Self.statusColumns + Self.bucketColumns] &+= UInt64(max(0, seconds * 1_000_000))
    }

    /// Counts a worker the supervisor had to start again.
    public func recordWorkerRestart() { words[1] &+= 1 }

    /// Sets the number of workers the supervisor keeps running.
    public func setConfiguredWorkers(_ count: Int) { words[2] = UInt64(count) }

    /// Sums of all slots written by workers with the same route table.
    func totals() -> (counts: [[UInt64]], buckets: [[UInt64]], microseconds: [UInt64]) {
        var counts = Array(repeating: Array(repeating: UInt64(0), count: Self.statusColumns), count: Self.rows)
        var buckets = Array(repeating: Array(repeating: UInt64(0), count: Self.bucketColumns), count: Self.rows)
        var microseconds = Array(repeating: UInt64(0), count: Self.rows)
        for slot in 0..<Self.maxSlots where words[slotBase(slot)] == fingerprint {
            for row in 0..<Self.rows {
                let base = rowBase(slot, row)
                for column in 0..<Self.statusColumns { counts[row][column] &+= words[base + column] }
                for column in 0..<Self.bucketColumns {
                    buckets[row][column] &+= words[base + Self.statusColumns + column]
                }
                microseconds[row] &+= words[base + Self.statusColumns + Self.bucketColumns]
            }
        }
        return (counts, buckets, microseconds)
    }

    var workerRestarts: UInt64 { words[1] }
    var configuredWorkers: UInt64 { words[2] }

    func label(row: Int) -> (method: String, pattern: String) {
        row < routeLabels.count ? routeLabels[row] : ("", "unmatched")
    }

    private func slotBase(_ slot: Int) -> Int { Self.headerWords + slot * Self.slotWords }

    private func rowBase(_ slot: Int, _ row: Int) -> Int {
        slotBase(slot) + 1 + row * (Self.statusColumns + Self.bucketColumns + 1)
    }
}
