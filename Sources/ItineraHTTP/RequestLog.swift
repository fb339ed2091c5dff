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

    /// Writes `time`, `pid` and then `fields` in their order as one JSON line to stderr. Ordered
    /// pairs rather than a dictionary: the request line is written on every request.
    public static func write(_ fields: [(key: String, value: JSONValue)]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: #"{"time":""#.utf8)
        appendTimestamp(into: &bytes)
        bytes.append(contentsOf: #"","pid":"#.utf8)
        bytes.append(contentsOf: String(pid).utf8)
        for (key, value) in fields {
            bytes.append(UInt8(ascii: ","))
            JSONWriter.writeString(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &bytes)
        }
        bytes.append(contentsOf: "}\n".utf8)
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
        var bytes: [UInt8] = []
        appendTimestamp(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendTimestamp(into out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "."))
        digits(now.tv_nsec / 1_000_000, 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// Logs a message that is not about one request (start-up, shutdown, a dead worker).
    public static func event(_ event: String, level: String = "info", _ fields: [String: JSONValue] = [:]) {
        write([("event", .string(event)), ("level", .string(level))] + fields.sorted { $0.key < $1.key })
    }
}
