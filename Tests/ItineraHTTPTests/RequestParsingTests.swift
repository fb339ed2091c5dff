import Testing

@testable import ItineraHTTP

@Suite struct RequestParsingTests {
    @Test func buildsRequestFromNginxParameters() {
        let request = Request(
            cgi: [
                "REQUEST_METHOD": "post", "REQUEST_URI": "/api/bookings/1?x=1&y=two%20words",
                "QUERY_STRING": "x=1&y=two%20words", "HTTP_X_CSRF_TOKEN": "abc", "HTTP_COOKIE": "a=1; b=\"2\"",
                "CONTENT_TYPE": "application/json; charset=utf-8", "CONTENT_LENGTH": "2",
                "REQUEST_ID": "0123456789abcdef0123456789abcdef", "REMOTE_ADDR": "10.0.0.9", "HTTPS": "on",
            ], body: Array("{}".utf8))
        #expect(request.method == "POST")
        #expect(request.path == "/api/bookings/1")
        #expect(request.query == ["x": "1", "y": "two words"])
        #expect(request.headers["X-Csrf-Token"] == "abc")
        #expect(request.headers["content-length"] == "2")
        #expect(request.mediaType == "application/json")
        #expect(request.cookies == ["a": "1", "b": "2"])
        #expect(request.requestId == "0123456789abcdef0123456789abcdef")
        #expect(request.remoteAddress == "10.0.0.9")
        #expect(request.isHTTPS)
        #expect(request.body == Array("{}".utf8))
    }

    @Test func fallsBackToScriptNameAndPathInfo() {
        let request = Request(
            cgi: ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/cgi-bin/itinera", "PATH_INFO": "/api/health"], body: [])
        #expect(request.path == "/cgi-bin/itinera/api/health")
        let bare = Request(cgi: ["REQUEST_METHOD": "GET", "PATH_INFO": "/api/health"], body: [])
        #expect(bare.path == "/api/health")
        #expect(!bare.isHTTPS)
    }

    @Test func rejectsRequestIdsThatCouldInjectHeaders() {
        let request = Request(cgi: ["REQUEST_ID": "abc\r\nSet-Cookie: x=1"], body: [])
        #expect(request.requestId != "abc\r\nSet-Cookie: x=1")
        #expect(request.requestId.count == 32)
    }

    @Test func contentLengthParsing() {
        #expect(Request.contentLength([:]) == 0)
        #expect(Request.contentLength(["CONTENT_LENGTH": ""]) == 0)
        #expect(Request.contentLength(["CONTENT_LENGTH": "42"]) == 42)
        #expect(Request.contentLength(["CONTENT_LENGTH": "-1"]) == nil)
        #expect(Request.contentLength(["CONTENT_LENGTH": "12abc"]) == nil)
    }

    @Test func bodiesOverTheLimitAreRefusedBeforeReading() {
        let limit = BodyLimit(standard: 1024, upload: 4096) { $0.hasSuffix("/work") }
        #expect(BodyPolicy.rejection(["CONTENT_LENGTH": "1024"], limit: limit) == nil)
        #expect(BodyPolicy.rejection(["CONTENT_LENGTH": "1025"], limit: limit)?.status == 413)
        #expect(BodyPolicy.rejection(["CONTENT_LENGTH": "x"], limit: limit)?.code == "invalid_content_length")
        // An upload's limit is the file's: the multipart envelope around a file of exactly that size fits.
        let envelope = 4096 + BodyLimit.uploadEnvelopeBytes
        let upload = ["CONTENT_LENGTH": String(envelope), "REQUEST_URI": "/api/supplier/bookings/1/work?x=1"]
        #expect(BodyPolicy.rejection(upload, limit: limit) == nil)
        let over = BodyPolicy.rejection(upload.merging(["CONTENT_LENGTH": String(envelope + 1)]) { $1 }, limit: limit)
        #expect(over?.status == 413)
        #expect(over?.message == "The request body is larger than 4096 bytes.")
    }

    @Test func formDecodingHandlesPlusEscapesAndRepeats() {
        let pairs = FormEncoding.decode("a=1+2&b=%41%zz&a=3&flag&=empty")
        #expect(pairs.map(\.0) == ["a", "b", "a", "flag", ""])
        #expect(pairs.map(\.1) == ["1 2", "A%zz", "3", "", "empty"])
        let request = Request(method: "GET", path: "/", queryString: "a=1&a=2")
        #expect(request.query["a"] == "1")
    }

    @Test func cookieHeaderParsing() {
        #expect(
            Cookies.parse("itinera_session=abc; theme=dark;broken; itinera_session=second") == [
                "itinera_session": "abc", "theme": "dark",
            ])
        #expect(Cookies.parse("").isEmpty)
    }

    @Test func headersAreCaseInsensitive() {
        let headers = Headers([("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-A"] == "1")
    }
}
