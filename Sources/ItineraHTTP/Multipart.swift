import Foundation

/// `multipart/form-data` bodies (RFC 7578): the parts of an upload form.
public struct Multipart: Sendable {
    public struct Part: Sendable {
        public let name: String
        public let filename: String?
        public let contentType: String?
        public let data: [UInt8]
    }

    public let parts: [Part]

    /// The first part named `name`.
    public subscript(name: String) -> Part? { parts.first { $0.name == name } }

    /// Parses `body` for the `Content-Type` header value `contentType`; a 400 when it is not a
    /// well-formed multipart body.
    public init(contentType: String, body: [UInt8]) throws {
        guard let boundary = Self.boundary(contentType) else {
            throw APIError.unsupportedMediaType(expected: "multipart/form-data with a boundary")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var ranges = Self.split(body, on: delimiter)
        guard ranges.count >= 2 else {
            throw APIError.badRequest("invalid_multipart", "The form data is not well formed.")
        }
        ranges.removeFirst()  // the preamble
        for range in ranges {
            var chunk = Array(body[range])
            if chunk.starts(with: Array("--".utf8)) { break }  // the closing delimiter
            if chunk.starts(with: [13, 10]) { chunk.removeFirst(2) }
            if chunk.suffix(2) == [13, 10] { chunk.removeLast(2) }
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: chunk) else {
                throw APIError.badRequest("invalid_multipart", "A form part has no header.")
            }
            let headerText = String(decoding: chunk[..<headerEnd], as: UTF8.self)
            var name: String?
            var filename: String?
            var type: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = Self.parameter("name", in: line)
                    filename = Self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces).lowercased()
                }
            }
            guard let name else { throw APIError.badRequest("invalid_multipart", "A form part has no name.") }
            parts.append(
                Part(name: name, filename: filename, contentType: type, data: Array(chunk[(headerEnd + 4)...])))
        }
        self.parts = parts
    }

    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        guard let value = parameter("boundary", in: contentType), !value.isEmpty, value.count <= 70 else { return nil }
        return value
    }

    /// `name="value"` or `name=value` from a header line.
    static func parameter(_ name: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle {
                return index
            }
            index += 1
        }
        return nil
    }

    static func split(_ body: [UInt8], on delimiter: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var cursor = 0
        while let found = find(delimiter, in: body, from: cursor) {
            ranges.append(start..<found)
            start = found + delimiter.count
            cursor = start
        }
        ranges.append(start..<body.count)
        return ranges
    }
}
