import CCurl
import Foundation

/// A small libcurl client for the worker's outbound POSTs (nchan's publisher, later webhooks):
/// one reusable easy handle, a timeout, and optionally a unix socket instead of TCP.
final class HTTPPoster {
    private let handle: UnsafeMutableRawPointer

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    /// POSTs `body` to `url` (through `unixSocket` when given) with `headers`; returns the status.
    func post(_ url: String, unixSocket: String?, headers: [String], body: [UInt8], timeoutMilliseconds: Int = 5000)
        throws -> Int
    {
        curl_easy_reset(handle)
        itn_curl_set_string(handle, CURLOPT_URL, url)
        if let unixSocket { itn_curl_set_string(handle, CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
        itn_curl_set_long(handle, CURLOPT_POST, 1)
        itn_curl_set_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        itn_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        itn_curl_set_write_function(handle) { _, size, count, _ in size * count }  // the answer is not needed
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        itn_curl_set_pointer(handle, CURLOPT_HTTPHEADER, list)
        // An empty POSTFIELDS would make libcurl read the body from stdin.
        let body = body.isEmpty ? Array("{}".utf8) : body
        let code = body.withUnsafeBufferPointer { buffer -> CURLcode in
            itn_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
            itn_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { throw Failure(description: String(cString: curl_easy_strerror(code))) }
        var status = 0
        itn_curl_response_code(handle, &status)
        return status
    }
}
