/// What reads requests from a web server and writes the answers back: FastCGI or CGI.
public typealias Responder = (Request, APIError?) -> Response

/// The largest body a request may carry, decided from its path (uploads get more room).
public struct BodyLimit: Sendable {
    public let standard: Int
    public let upload: Int
    /// Paths that take file uploads.
    public let isUpload: @Sendable (String) -> Bool

    public init(standard: Int, upload: Int? = nil, isUpload: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.standard = standard
        self.upload = upload ?? standard
        self.isUpload = isUpload
    }

    /// Room for the multipart envelope around an upload (boundaries, part headers, other fields):
    /// a file of exactly `upload` bytes fits; the upload handler checks the file itself.
    public static let uploadEnvelopeBytes = 64 << 10

    /// The most a body to this request's path may hold, and the limit to name when it is over.
    func allowance(for params: [String: String]) -> (bytes: Int, named: Int) {
        let uri = params["REQUEST_URI"] ?? params["PATH_INFO"] ?? ""
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        return isUpload(path) ? (upload + Self.uploadEnvelopeBytes, upload) : (standard, standard)
    }
}

/// How a request body is checked before it is read.
enum BodyPolicy {
    /// The error for a request whose announced body must not be read, or nil to read it.
    static func rejection(_ params: [String: String], limit: BodyLimit) -> APIError? {
        guard let length = Request.contentLength(params) else {
            return .badRequest("invalid_content_length", "Content-Length is not a number.")
        }
        // Most requests are under both limits: no need to look at the path for which one applies.
        if length <= min(limit.standard, limit.upload) { return nil }
        let allowance = limit.allowance(for: params)
        return length > allowance.bytes ? .payloadTooLarge(limit: allowance.named) : nil
    }
}
