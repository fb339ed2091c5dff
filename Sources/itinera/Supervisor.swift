import CSupport
import Foundation
import ItineraHTTP

/// `itinera serve`: binds the socket, keeps N workers running with it as their fd 0, restarts
/// the ones that die (with backoff), replaces them one by one on SIGHUP, and on SIGTERM/SIGINT
/// lets in-flight requests finish (for at most `gracePeriod`) and exits.
final class Supervisor {
    /// One place in the pool: the worker currently filling it and its restart history.
    struct Slot {
        var pid: pid_t?
        var startedAt = Date.distantPast
        var nextStart = Date.distantPast
        var quickFailures = 0
        /// Set while SIGHUP replaces this worker: its exit is expected, not a crash.
        var replacing = false
    }

    let address: ListenAddress
    let socketMode: mode_t
    let gracePeriod: TimeInterval
    private var slots: [Slot]
    /// Slots still to be replaced after a SIGHUP, and the one being replaced now.
    private var replaceQueue: [Int] = []
    private var replacingNow: Int?
    private var listenFd: Int32 = -1
    private var metricsFd: Int32 = -1
    private var metrics: PoolMetrics?
    private let executable: String

    init(address: ListenAddress, workers: Int, socketMode: mode_t, gracePeriod: TimeInterval) {
        self.address = address
        self.socketMode = socketMode
        self.gracePeriod = gracePeriod
        slots = Array(repeating: Slot(), count: workers)
        executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    }

    func run() -> Int32 {
        itn_signal_catch(SIGTERM)
        itn_signal_catch(SIGINT)
        itn_signal_catch(SIGHUP)
        itn_signal_catch(SIGCHLD)
        itn_signal_ignore(SIGPIPE)
        do {
            listenFd = try address.bind(mode: socketMode)
        } catch {
            RequestLog.event("listen_failed", level: "error", ["error": .string("\(error)")])
            return 1
        }
        setUpMetrics()
        RequestLog.event(
            "pool_started", ["listen": .string("\(address)"), "workers": .integer(Int64(slots.count))])
        while true {
            startDueWorkers()
            sleepUntilSignal(milliseconds: 200)
            let signals = itn_signals_take()
            reapWorkers()
            if signals & (1 << UInt(SIGTERM) | 1 << UInt(SIGINT)) != 0 { return stop() }
            if signals & (1 << UInt(SIGHUP)) != 0 { beginReplacingAll() }
            continueReplacing()
        }
    }

    private func setUpMetrics() {
        metricsFd = itn_shared_memory_create("itinera-metrics", PoolMetrics.byteSize)
        guard metricsFd >= 0,
            let memory = mmap(nil, PoolMetrics.byteSize, PROT_READ | PROT_WRITE, MAP_SHARED, metricsFd, 0),
            memory != MAP_FAILED
        else {
            RequestLog.event("metrics_unshared", level: "warning", ["errno": .integer(Int64(errno))])
            metricsFd = -1
            return
        }
        metrics = PoolMetrics(memory: memory, slot: nil, routes: [])
        metrics?.setConfiguredWorkers(slots.count)
    }

    private func startDueWorkers() {
        let now = Date()
        for index in slots.indices where slots[index].pid == nil {
            guard slots[index].nextStart <= now else { continue }
            slots[index].pid = spawn(slot: index)
            slots[index].startedAt = now
            if slots[index].pid == nil { slots[index].nextStart = now.addingTimeInterval(1) }
        }
    }

    private func spawn(slot: Int) -> pid_t? {
        var environment = ["ITINERA_WORKER_SLOT=\(slot)"]
        if metricsFd >= 0 { environment.append("ITINERA_METRICS_FD=3") }
        let pid = withCStringArray([executable, "fcgi"]) { argv in
            withCStringArray(environment) { env in
                itn_spawn(executable, argv, env, listenFd, metricsFd)
            }
        }
        guard pid > 0 else {
            RequestLog.event("worker_spawn_failed", level: "error", ["errno": .integer(Int64(errno))])
            return nil
        }
        return pid
    }

    /// Collects exited workers. An unexpected exit is a restart: immediate after a worker that
    /// ran a while, with doubling delays (up to 10 s) while workers keep dying young.
    private func reapWorkers() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let index = slots.firstIndex(where: { $0.pid == pid }) else { continue }
            slots[index].pid = nil
            if slots[index].replacing {
                slots[index].replacing = false
                continue
            }
            let lived = Date().timeIntervalSince(slots[index].startedAt)
            slots[index].quickFailures = lived < 5 ? slots[index].quickFailures + 1 : 0
            let delay = slots[index].quickFailures == 0 ? 0 : min(10, 0.1 * pow(2, Double(slots[index].quickFailures)))
            slots[index].nextStart = Date().addingTimeInterval(delay)
            metrics?.recordWorkerRestart()
            RequestLog.event(
                "worker_died", level: "warning",
                [
                    "workerPid": .integer(Int64(pid)), "slot": .integer(Int64(index)),
                    "exit": .string(describe(status)), "restartInSeconds": .number(delay),
                ])
        }
    }

    private func beginReplacingAll() {
        RequestLog.event("workers_replacing")
        replaceQueue = Array(slots.indices)
    }

    /// SIGHUP: stop one worker, wait until its successor runs, then the next.
    private func continueReplacing() {
        if let index = replacingNow {
            guard slots[index].pid != nil, !slots[index].replacing else { return }
            replacingNow = nil
        }
        guard !replaceQueue.isEmpty else { return }
        let index = replaceQueue.removeFirst()
        // An empty slot (waiting out a backoff) gets a fresh worker anyway.
        guard let pid = slots[index].pid else { return }
        slots[index].replacing = true
        kill(pid, SIGTERM)
        replacingNow = index
    }

    /// Graceful stop: no new connections, workers finish what they hold, stragglers are killed.
    private func stop() -> Int32 {
        RequestLog.event("pool_stopping")
        if case .unix(let path) = address { unlink(path) }
        close(listenFd)
        for slot in slots { if let pid = slot.pid { kill(pid, SIGTERM) } }
        let deadline = Date().addingTimeInterval(gracePeriod)
        while slots.contains(where: { $0.pid != nil }) && Date() < deadline {
            sleepUntilSignal(milliseconds: 50)
            _ = itn_signals_take()
            reapExits()
        }
        for slot in slots { if let pid = slot.pid { kill(pid, SIGKILL) } }
        while slots.contains(where: { $0.pid != nil }) { reapExits(blocking: true) }
        RequestLog.event("pool_stopped")
        return 0
    }

    private func reapExits(blocking: Bool = false) {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, blocking ? 0 : WNOHANG)
            guard pid > 0 else { return }
            if let index = slots.firstIndex(where: { $0.pid == pid }) { slots[index].pid = nil }
            if blocking { return }
        }
    }

    private func sleepUntilSignal(milliseconds: Int) {
        itn_signals_block(0)
        if itn_signals_peek() == 0 { usleep(UInt32(milliseconds * 1000)) }
        itn_signals_block(1)
    }

    private func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(signal)"
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
}
