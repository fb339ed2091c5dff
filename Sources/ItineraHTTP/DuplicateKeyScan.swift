import Foundation

/// Finds an object member whose name repeats an earlier one of the same object. Foundation's
/// decoder keeps the first of them, PostgreSQL's jsonb and most other parsers the last, so a body
/// with one would mean different things to different readers: the API refuses it instead.
/// Names are compared after unescaping (`"\u0061"` is `"a"`) as Swift strings, the keys the decoded
/// object has (so `é` and `e` + combining accent are one name).
enum DuplicateKeyScan {
    enum Step: Equatable {
        case member(String)
        case index(Int)
    }

    /// The path to the first repeated name in `bytes`, or nil when there is none or `bytes` is not
    /// JSON (the decoder reports that).
    static func firstDuplicate(in bytes: [UInt8]) -> [Step]? {
        var scanner = Scanner(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.position = 3 }  // a UTF-8 byte-order mark
        return scanner.value(path: [])
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        /// Scans one value; a duplicate's path, else nil (also when the text stops making sense).
        mutating func value(path: [Step]) -> [Step]? {
            skipSpace()
            switch current {
            case UInt8(ascii: "{"): return object(path: path)
            case UInt8(ascii: "["): return array(path: path)
            case UInt8(ascii: "\""):
                _ = string(decoded: false)
                return nil
            default:
                // A number or literal: up to the next delimiter.
                while let byte = current, !",]}".utf8.contains(byte), byte != 0x20, byte != 0x0A, byte != 0x0D,
                    byte != 0x09
                {
                    position += 1
                }
                return nil
            }
        }

        private mutating func object(path: [Step]) -> [Step]? {
            position += 1
            var names = Set<String>()
            while true {
                skipSpace()
                guard let byte = current else { return nil }
                if byte == UInt8(ascii: "}") {
                    position += 1
                    return nil
                }
                if byte == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard byte == UInt8(ascii: "\""), let name = string(decoded: true) else { return nil }
                let key = String(decoding: name, as: UTF8.self)
                if !names.insert(key).inserted { return path + [.member(key)] }
                skipSpace()
                guard current == UInt8(ascii: ":") else { return nil }
                position += 1
                if let found = value(path: path + [.member(key)]) { return found }
                guard position < bytes.count else { return nil }
            }
        }

        private mutating func array(path: [Step]) -> [Step]? {
            position += 1
            var index = 0
            while true {
                skipSpace()
                guard let byte = current else { return nil }
                if byte == UInt8(ascii: "]") {
                    position += 1
                    return nil
                }
                if byte == UInt8(ascii: ",") {
                    position += 1
                    index += 1
                    continue
                }
                let start = position
                if let found = value(path: path + [.index(index)]) { return found }
                guard position > start, position < bytes.count else { return nil }
            }
        }

        /// The string at `position` as UTF-8, with its escapes undone when `decoded` (names need it,
        /// values are only skipped); nil when it is not a JSON string.
        private mutating func string(decoded: Bool) -> [UInt8]? {
            let start = position
            position += 1
            var escaped = false
            while let byte = current {
                position += 1
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    position += 1
                } else if byte == UInt8(ascii: "\"") {
                    let token = Array(bytes[start..<position])
                    guard escaped && decoded else { return Array(token.dropFirst().dropLast()) }
                    let text = try? JSONSerialization.jsonObject(with: Data(token), options: .fragmentsAllowed)
                    return (text as? String).map { Array($0.utf8) }
                }
            }
            return nil
        }
    }
}
