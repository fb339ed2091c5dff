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
}
