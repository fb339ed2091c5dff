import Foundation
import Testing

@testable import ItineraHTTP

@Suite struct EnvelopeTests {
    private func json(_ response: Response) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func successWrapsDataWithRequestId() throws {
        let response = try Envelope.success(["database": "up"], requestId: "r1")
        let body = try json(response)
        #expect(response.status == 200)
        #expect(body["ok"] as? Bool == true)
        #expect((body["data"] as? [String: String]) == ["database": "up"])
        #expect(body["requestId"] as? String == "r1")
        #expect(response.headers.contains { $0 == ("Content-Type", "application/json") })
    }

    @Test func failureCarriesCodeMessageDetailsAndHeaders() throws {
        let response = Envelope.failure(.methodNotAllowed(allowed: ["GET", "HEAD"]), requestId: "r2")
        let body = try json(response)
        let error = try #require(body["error"] as? [String: Any])
        #expect(response.status == 405)
        #expect(body["ok"] as? Bool == false)
        #expect(error["code"] as? String == "method_not_allowed")
        #expect((error["details"] as? [String: [String]])?["allowed"] == ["GET", "HEAD"])
        #expect(body["requestId"] as? String == "r2")
        #expect(response.headers.contains { $0 == ("Allow", "GET, HEAD") })
    }

    @Test func serializedResponseIsCGIShaped() {
        let response = Response(status: 404, headers: [("X-Evil", "a\r\nSet-Cookie: b=1")], body: Array("hi".utf8))
        let text = String(decoding: response.serialized(requestId: "abc"), as: UTF8.self)
        #expect(text.hasPrefix("Status: 404 Not Found\r\n"))
        #expect(text.contains("X-Evil: aSet-Cookie: b=1\r\n"))
        #expect(text.contains("X-Request-Id: abc\r\n"))
        #expect(text.hasSuffix("Content-Length: 2\r\n\r\nhi"))
    }

    @Test func everyStatusTheAPIAnswersHasItsReasonPhrase() {
        let used = [200, 201, 202, 204, 400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429, 500, 502, 503]
        for status in used { #expect(HTTPStatus.reason(status) != "Status \(status)", "\(status)") }
        let head = String(decoding: Response(status: 428).serialized(requestId: "r1"), as: UTF8.self)
        #expect(head.hasPrefix("Status: 428 Precondition Required\r\n"))
    }
}
