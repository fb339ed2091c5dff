import Foundation

/// One JSON line per event on stderr: the format the operations notes and log shippers expect.
public enum RequestLog {
    private static let pid = Int(getpid())

    /// Writes `fields` plus `time` and `pid` as one JSON line to stderr.
    public static func write(_ fields: [String: JSONValue]) {
        var line = fields
        line["time"] = .string(Date().formatted(.iso8601))
        line["pid"] = .integer(Int64(pid))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var bytes = try? encoder.encode(line) else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Logs a message that is not about one request (start-up, shutdown, a dead worker).
    public static func event(_ event: String, level: String = "info", _ fields: [String: JSONValue] = [:]) {
        var line = fields
        line["event"] = .string(event)
        line["level"] = .string(level)
        write(line)
    }
}
