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
        #expect(throws: APIError.invalidJSON("`count` must be an integer.")) {
            try request(#"{"bookingId":"b1","count":"two"}"#).decodeJSON(Body.self)
        }
        #expect(throws: APIError.invalidJSON("`bookingId` is required.")) {
            try request(#"{"count":1}"#).decodeJSON(Body.self)
        }
    }

    @Test func otherMediaTypesAreRefused() {
        #expect(throws: APIError.unsupportedMediaType(expected: "application/json")) {
            try request(#"{"bookingId":"b1","count":1}"#, contentType: "text/plain").decodeJSON(Body.self)
        }
    }
}
