import Foundation
import Testing

@testable import ItineraHTTP

@Suite struct JSONDecodingTests {
    struct Body: Decodable {
        let bookingId: String
        let count: Int
    }

    private func request(_ body: String, contentType: String? = "application/json") -> Request {
        var headers = Headers()
        if let contentType { headers.add("Content-Type", contentType) }
        return Request(method: "POST", path: "/", headers: headers, body: Array(body.utf8))
    }

    @Test func decodesAValidBody() throws {
        let body = try request(#"{"bookingId":"b1","count":2}"#).decodeJSON(Body.self)
        #expect(body.bookingId == "b1")
        #expect(body.count == 2)
    }

    @Test func malformedJSONIsInvalidJSON() {
        #expect(throws: APIError.invalidJSON("it could not be parsed.")) {
            try request(#"{"bookingId":"#).decodeJSON(Body.self)
        }
        #expect(throws: APIError.invalidJSON("the body is empty.")) {
            try request("").decodeJSON(Body.self)
        }
    }

    @Test func wrongTypeNamesTheField() {
        #expect(throws: APIError.invalidJSON(field: "count", "must be an integer")) {
            try request(#"{"bookingId":"b1","count":"two"}"#).decodeJSON(Body.self)
        }
        #expect(throws: APIError.invalidJSON(field: "bookingId", "is required")) {
            try request(#"{"count":1}"#).decodeJSON(Body.self)
        }
    }

    struct Order: Decodable {
        struct Item: Decodable {
            let description: String
            let startsAt: Date?
            let quantity: Int?
        }
        let currency: String
        let notes: String?
        let items: [Item]
        let metadata: [String: JSONValue]?
        let extra: JSONValue?
    }

    @Test func anUnknownMemberIsRefusedWithItsPath() throws {
        let rule = "is not a field of this request"
        #expect(throws: APIError.invalidJSON(field: "travellers", rule)) {
            try request(#"{"currency":"EUR","items":[],"travellers":[]}"#).decodeJSON(Order.self)
        }
        #expect(throws: APIError.invalidJSON(field: "items[1].startAt", rule)) {
            try request(#"{"currency":"EUR","items":[{"description":"a"},{"description":"b","startAt":"x"}]}"#)
                .decodeJSON(Order.self)
        }
        // Optional members may be absent or null; free-form members take anything; dates keep their rule.
        let booking = try request(
            #"{"currency":"EUR","notes":null,"items":[{"description":"a","startsAt":"2027-03-01T09:00:00Z"}],"#
                + #""metadata":{"any":{"thing":1}},"extra":{"x":[1]}}"#
        ).decodeJSON(Order.self)
        #expect(booking.items.first?.startsAt == ISODate.instant("2027-03-01T09:00:00Z"))
        #expect(booking.metadata?["any"] == .object(["thing": .integer(1)]))
        #expect(throws: APIError.invalidJSON(field: "items[0].startsAt", Request.timeRule)) {
            try request(#"{"currency":"EUR","items":[{"description":"a","startsAt":"soon"}]}"#)
                .decodeJSON(Order.self)
        }
        // A missing or null member keeps its own message; a partner body may carry more.
        #expect(throws: APIError.invalidJSON(field: "items[0].description", "is required")) {
            try request(#"{"currency":"EUR","items":[{}]}"#).decodeJSON(Order.self)
        }
        #expect(throws: APIError.invalidJSON(field: "items", "must not be null")) {
            try request(#"{"currency":"EUR","items":null}"#).decodeJSON(Order.self)
        }
        #expect(throws: APIError.invalidJSON("a member with an empty name is not a field of this request.")) {
            try request(#"{"currency":"EUR","items":[],"":1}"#).decodeJSON(Order.self)
        }
        #expect(throws: APIError.invalidJSON(field: "a.", rule)) {
            try request(#"{"currency":"EUR","items":[],"a.":1}"#).decodeJSON(Order.self)
        }
        // However many objects a body sends, the noting stops at the limit: no body of ours holds more.
        let many = "[" + Array(repeating: #"{"description":"a"}"#, count: MemberCheck.maxObjects).joined(separator: ",")
        #expect(throws: APIError.invalidJSON("it holds more than \(MemberCheck.maxObjects) objects.")) {
            try request(#"{"currency":"EUR","items":\#(many)]}"#).decodeJSON(Order.self)
        }
        let partner = try request(#"{"bookingId":"b1","count":2,"source":"marketplace"}"#)
            .decodeJSON(Body.self, unknownMembers: .ignore)
        #expect(partner.count == 2)
    }

    @Test func aNameTwiceInOneObjectIsRefusedWithItsPath() {
        let rule = "appears more than once in its object"
        #expect(throws: APIError.invalidJSON(field: "count", rule)) {
            try request(#"{"bookingId":"b1","count":1, "count" :2}"#).decodeJSON(Body.self)
        }
        // Escapes are undone before comparing; other objects and arrays keep their own names.
        #expect(throws: APIError.invalidJSON(field: "items[1].q", rule)) {
            try request(#"{"items":[{"q":1},{"q":[{"q":1}],"\u0071":2}],"q":0}"#).decodeJSON(JSONValue.self)
        }
        #expect(throws: APIError.invalidJSON(field: "metadata", rule)) {
            try request(#"{"metadata":{},"metadata":{"a":"\"}"}}"#).decodeJSON(JSONValue.self)
        }
    }

    @Test func aByteOrderMarkHidesNoRepeatAndOtherEncodingsAreRefused() {
        let repeated = Array(#"{"count":1,"count":2,"bookingId":"b"}"#.utf8)
        let withMark = Request(
            method: "POST", path: "/", headers: jsonHeaders, body: [0xEF, 0xBB, 0xBF] + repeated)
        #expect(throws: APIError.invalidJSON(field: "count", "appears more than once in its object")) {
            try withMark.decodeJSON(Body.self)
        }
        let utf16 = Request(
            method: "POST", path: "/", headers: jsonHeaders,
            body: Array(#"{"bookingId":"b1","count":2}"#.data(using: .utf16LittleEndian)!))
        #expect(throws: APIError.invalidJSON("the body must be UTF-8.")) { try utf16.decodeJSON(Body.self) }
    }

    private var jsonHeaders: Headers {
        var headers = Headers()
        headers.add("Content-Type", "application/json")
        return headers
    }

    @Test func namesThatSwiftEquatesAreOneName() throws {
        // Precomposed é and e + combining accent are one key of a decoded object: refused as a repeat.
        #expect(throws: APIError.invalidJSON(field: "cafe\u{301}", "appears more than once in its object")) {
            try request("{\"caf\u{E9}\":1,\"cafe\u{301}\":2}").decodeJSON(JSONValue.self)
        }
        let body = try request(#"{"a\"":[1,2.5e3,true,null,"}",{"a\"":"]"}],"b":{}, "c" : [ ] }"#)
            .decodeJSON(JSONValue.self)
        guard case .object(let members) = body else { throw APIError.invalidJSON("not an object") }
        #expect(members.keys.sorted() == ["a\"", "b", "c"])
    }

    struct Booking: Decodable {
        struct Item: Decodable {
            let quantity: Int
            let startsAt: Date?
        }
        let items: [Item]
    }

    @Test func numbersThatDoNotFitNameTheirField() {
        let error = APIError.invalidJSON(field: "items[1].quantity", "must be a whole number that fits in 64 bits")
        #expect(
            error.message
                == "The request body is not valid JSON: `items[1].quantity` must be a whole number that fits in 64 bits."
        )
        #expect(throws: error) {
            try request(#"{"items":[{"quantity":1},{"quantity":1.5}]}"#).decodeJSON(Booking.self)
        }
        #expect(throws: error) {
            try request(#"{"items":[{"quantity":1},{"quantity":99999999999999999999}]}"#).decodeJSON(Booking.self)
        }
    }

    @Test func impossibleTimesNameTheirField() throws {
        #expect(throws: APIError.invalidJSON(field: "items[0].startsAt", Request.timeRule)) {
            try request(#"{"items":[{"quantity":1,"startsAt":"2027-02-30T10:00:00Z"}]}"#).decodeJSON(Booking.self)
        }
        let body = try request(#"{"items":[{"quantity":1,"startsAt":"2027-03-01T09:00:00+01:00"}]}"#)
            .decodeJSON(Booking.self)
        #expect(body.items[0].startsAt?.timeIntervalSince1970 == 1_803_888_000)
    }

    @Test func otherMediaTypesAreRefused() {
        #expect(throws: APIError.unsupportedMediaType(expected: "application/json")) {
            try request(#"{"bookingId":"b1","count":1}"#, contentType: "text/plain").decodeJSON(Body.self)
        }
    }

    struct SpelledOrder: Decodable {
        struct Line: Decodable {
            let unitPriceMinor: Int64
            let startsAt: String?
        }
        let bookingId: String
        let items: [Line]
        let metadata: JSONValue?
    }

    @Test func membersMayBeSentInTheAnswersSnakeCaseSpelling() throws {
        let body = #"{"booking_id":"b1","items":[{"unit_price_minor":5,"startsAt":"x"}],"metadata":{"a_b":1}}"#
        let sent = try request(body).decodeJSON(SpelledOrder.self)
        #expect(sent.bookingId == "b1")
        #expect(sent.items[0].unitPriceMinor == 5 && sent.items[0].startsAt == "x")
        // Free-form values keep their members as sent.
        #expect(sent.metadata == .object(["a_b": .integer(1)]))
        // An error names the member as it was sent.
        #expect(throws: APIError.invalidJSON(field: "items[0].unit_price_minor", "must be an integer")) {
            try request(#"{"booking_id":"b1","items":[{"unit_price_minor":"5"}]}"#).decodeJSON(SpelledOrder.self)
        }
    }

    @Test func bothSpellingsOfOneMemberAreRefused() {
        let both = "is sent in both spellings (camelCase and snake_case); send one"
        #expect(throws: APIError.invalidJSON(field: "bookingId", both)) {
            try request(#"{"bookingId":"b1","booking_id":"b2","count":1}"#).decodeJSON(Body.self)
        }
        #expect(throws: APIError.invalidJSON(field: "items[0].unitPriceMinor", both)) {
            try request(#"{"bookingId":"b","items":[{"unitPriceMinor":1,"unit_price_minor":2}]}"#).decodeJSON(
                SpelledOrder.self)
        }
        #expect(throws: APIError.invalidJSON(field: "booking_ref", "is not a field of this request")) {
            try request(#"{"bookingId":"b1","count":1,"booking_ref":"x"}"#).decodeJSON(Body.self)
        }
    }
}
