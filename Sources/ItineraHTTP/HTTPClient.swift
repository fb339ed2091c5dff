import CCurl
import Foundation

/// A small libcurl client for outbound calls: nchan's publisher, payment providers, the sandbox's
/// own webhooks. One reusable easy handle per process (processes are single-threaded), a total
/// and a connect timeout, optionally a unix socket instead of TCP, and a capped answer body.
public final class HTTPClient: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// The process's client.
    public static let shared = HTTPClient()

    /// Answers larger than this are cut off with an error: providers answer with small JSON.
    public static let maxReplyBytes = 1 << 20

    public struct Reply: Sendable {
        public let status: Int
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// No HTTP answer at all: connection refused, timeout, TLS failure, oversized answer.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends one request and returns the status and body. `basicAuth` is (user, password).
    public func send(
        _ method: String, _ url: String, headers: [String] = [], body: [UInt8]? = nil, unixSocket: String? = nil,
        basicAuth: (String, String)? = nil, timeoutMilliseconds: Int = 5000
    ) throws -> Reply {
        curl_easy_reset(handle)
        itn_curl_set_string(handle, CURLOPT_URL, url)
        if let unixSocket { itn_curl_set_string(handle, CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
        if let (user, password) = basicAuth {
            itn_curl_set_string(handle, CURLOPT_USERNAME, user)
            itn_curl_set_string(handle, CURLOPT_PASSWORD, password)
        }
        itn_curl_set_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        itn_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMilliseconds, 3000))
        itn_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        itn_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        let sink = Sink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        itn_curl_set_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        itn_curl_set_write_function(handle) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard sink.bytes.count + length <= HTTPClient.maxReplyBytes else { return 0 }
            if let data { sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
            return length
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        itn_curl_set_pointer(handle, CURLOPT_HTTPHEADER, list)
        if method != "GET" && method != "POST" { itn_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method) }
        let code: CURLcode
        if let body, method != "GET" {
            itn_curl_set_long(handle, CURLOPT_POST, 1)
            // An empty POSTFIELDS pointer would make libcurl read the body from stdin.
            let bytes = body.isEmpty ? [0] : body
            code = bytes.withUnsafeBufferPointer { buffer -> CURLcode in
                itn_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                itn_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
                return curl_easy_perform(handle)
            }
        } else {
            code = curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { throw Failure(description: String(cString: curl_easy_strerror(code))) }
        var status = 0
        itn_curl_response_code(handle, &status)
        return Reply(status: status, body: sink.bytes)
    }

    private final class Sink {
        var bytes: [UInt8] = []
    }
}
