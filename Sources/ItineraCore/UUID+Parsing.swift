import Foundation

extension UUID {
    /// Parses the canonical 8-4-4-4-12 hexadecimal form (either case), as `UUID(uuidString:)`
    /// does, without the `sscanf` that one runs on Linux: ids are parsed on every request.
    public init?(parsing text: String) {
        var text = text
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.withUTF8 { utf8 in
            withUnsafeMutableBytes(of: &bytes) { Self.parse(utf8, into: $0) }
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>, into bytes: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == 36 else { return false }
        var position = 0
        for index in 0..<16 {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard text[position] == UInt8(ascii: "-") else { return false }
                position += 1
            }
            guard let high = HexDigit.value(text[position]), let low = HexDigit.value(text[position + 1]) else {
                return false
            }
            bytes[index] = high << 4 | low
            position += 2
        }
        return true
    }
}
