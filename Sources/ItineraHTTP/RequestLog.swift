import CSupport
import Foundation

/// One JSON line per event on stderr: the format the operations notes and log shippers expect.
///
/// A FastCGI worker buffers its lines: several workers appending one line per request to the
/// same file contend on it and cost about a fifth of the throughput. The buffer is written when
/// it holds 16 KiB, when the worker goes idle (a SIGALRM armed `flushDelay` after the first
/// buffered line interrupts its accept), and before it exits. A worker that crashes loses at
/// most that fraction of a second of log lines — never a request's data.
public enum RequestLog {
    private static let pid = Int(getpid())
    nonisolated(unsafe) private static var buffer: [UInt8] = []
    nonisolated(unsafe) private static var buffering = false
    nonisolated(unsafe) private static var alarmArmed = false
    private static let flushBytes = 16 * 1024
    private static let flushDelayMilliseconds = 200

    /// Switches to buffered writing (FastCGI workers); lines are written at once otherwise.
    public static func startBuffering() {
        buffering = true
        buffer.reserveCapacity(flushBytes + 1024)
    }

    /// Writes out what is buffered.
    public static func flush() {
        alarmArmed = false
        guard !buffer.isEmpty else { return }
        writeOut(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `fields` plus `time` and `pid` as one JSON line to stderr.
    public static func write(_ fields: [String: JSONValue]) {
        var line = fields
        line["time"] = .string(timestamp())
        line["pid"] = .integer(Int64(pid))
        var bytes = JSONWriter.bytes(.object(line))
        bytes.append(UInt8(ascii: "\n"))
        guard buffering else { return writeOut(bytes) }
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushBytes {
            flush()
        } else if !alarmArmed {
            alarmArmed = true
            itn_alarm_after_ms(flushDelayMilliseconds)
        }
    }

    private static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Now in UTC as ISO-8601 with milliseconds, e.g. `2026-11-22T04:35:32.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    /// Logs a message that is not about one request (start-up, shutdown, a dead worker).
    public static func event(_ event: String, level: String = "info", _ fields: [String: JSONValue] = [:]) {
        var line = fields
        line["event"] = .string(event)
        line["level"] = .string(level)
        write(line)
    }
}
