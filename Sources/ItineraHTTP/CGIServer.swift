import Foundation

/// Plain CGI: one request from the environment and stdin, one answer on stdout. This is how
/// shared hosting runs the same binary (libfcgi's own CGI fallback lives in stdio macros Swift cannot call).
public struct CGIServer {
    public let bodyLimit: BodyLimit

    public init(bodyLimit: BodyLimit) {
        self.bodyLimit = bodyLimit
    }

    /// Answers the one request of this process; returns the exit status.
    public func run(_ respond: Responder) -> Int32 {
        let params = ProcessInfo.processInfo.environment
        var rejection = BodyPolicy.rejection(params, limit: bodyLimit)
        var body: [UInt8] = []
        if rejection == nil, let length = Request.contentLength(params), length > 0 {
            body = Self.readStandardInput(count: length)
            if body.count < length {
                rejection = .badRequest("incomplete_body", "The request body ended before Content-Length bytes.")
            }
        }
        let request = Request(cgi: params, body: body)
        let bytes = respond(request, rejection).serialized(requestId: request.requestId)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress!, $0.count) }
            if written <= 0 { return 1 }
            offset += written
        }
        return 0
    }

    private static func readStandardInput(count: Int) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = body.withUnsafeMutableBytes { read(0, $0.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            filled += got
        }
        return Array(body[0..<filled])
    }
}
