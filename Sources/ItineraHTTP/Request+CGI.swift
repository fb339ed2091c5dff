import Foundation

extension Request {
    /// Builds a request from CGI meta-variables (RFC 3875; nginx's FastCGI params are the same),
    /// with `body` already read.
    public init(cgi params: [String: String], body: [UInt8]) {
        var headers = Headers()
        for (name, value) in params {
            if name.hasPrefix("HTTP_") {
                headers.add(Self.headerName(name.utf8.dropFirst(5)), value)
            } else if name == "CONTENT_TYPE" || name == "CONTENT_LENGTH" {
                if !value.isEmpty { headers.add(Self.headerName(name.utf8[...]), value) }
            }
        }
        let target = Self.target(params)
        self.init(
            method: (params["REQUEST_METHOD"] ?? "GET").uppercased(),
            path: target.path,
            queryString: params["QUERY_STRING"] ?? target.query,
            headers: headers,
            body: body,
            requestId: Self.validRequestId(params["REQUEST_ID"]) ?? Request.makeRequestId(),
            remoteAddress: params["REMOTE_ADDR"] ?? "",
            isHTTPS: params["HTTPS"].map { !$0.isEmpty && $0.lowercased() != "off" } ?? false,
            serverPort: params["SERVER_PORT"].flatMap(Int.init))
    }

    /// `ACCEPT_ENCODING` → `accept-encoding` (the form `Headers` stores).
    private static func headerName(_ cgiName: Substring.UTF8View) -> String {
        String(
            decoding: cgiName.map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }, as: UTF8.self)
    }

    /// The body length announced in `CONTENT_LENGTH`: 0 when absent, nil when it is not a number.
    public static func contentLength(_ params: [String: String]) -> Int? {
        guard let text = params["CONTENT_LENGTH"], !text.isEmpty else { return 0 }
        guard let length = Int(text), length >= 0 else { return nil }
        return length
    }

    /// Path and query of the request: from `REQUEST_URI` when the server passes it (nginx,
    /// Apache), else from `SCRIPT_NAME` + `PATH_INFO` (the CGI minimum).
    private static func target(_ params: [String: String]) -> (path: String, query: String) {
        if let uri = params["REQUEST_URI"], uri.hasPrefix("/") {
            let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let path = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? "")
        return (path.isEmpty ? "/" : path, "")
    }

    /// Accepts a web-server request id only if it looks like one (it is echoed in headers and logs).
    private static func validRequestId(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 64,
            value.utf8.allSatisfy({
                $0 == UInt8(ascii: "-") || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)
            })
        else { return nil }
        return value
    }
}
