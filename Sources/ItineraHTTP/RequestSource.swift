/// What reads requests from a web server and writes the answers back: FastCGI or CGI.
public typealias Responder = (Request, APIError?) -> Response

/// How a request body is checked before it is read.
enum BodyPolicy {
    /// The error for a request whose announced body must not be read, or nil to read it.
    static func rejection(_ params: [String: String], maxBodyBytes: Int) -> APIError? {
        guard let length = Request.contentLength(params) else {
            return .badRequest("invalid_content_length", "Content-Length is not a number.")
        }
        return length > maxBodyBytes ? .payloadTooLarge(limit: maxBodyBytes) : nil
    }
}
