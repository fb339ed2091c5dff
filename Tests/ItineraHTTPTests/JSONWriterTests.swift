import Foundation
import Testing

@testable import ItineraHTTP

@Suite struct JSONWriterTests {
    @Test func escapesWhatJSONRequiresAndParsesBack() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} zoë 🚀"
        let value: JSONValue = .object([
            "text": .string(tricky), "n": .integer(-42), "x": .number(2.5), "whole": .number(3),
            "list": .array([.null, .bool(true), .bool(false)]),
        ])
        let bytes = JSONWriter.bytes(value)
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(parsed["text"] as? String == tricky)
        #expect(parsed["n"] as? Int == -42)
        #expect(parsed["x"] as? Double == 2.5)
        #expect(parsed["whole"] as? Int == 3)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"list":[null,true,false],"n":-42"#))
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONWriter.bytes(.array([.number(.nan), .number(.infinity)])) == Array("[null,null]".utf8))
    }

    @Test func logTimestampsAreISO8601UTCWithMilliseconds() {
        let stamp = RequestLog.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(stamp.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil)
    }
}
