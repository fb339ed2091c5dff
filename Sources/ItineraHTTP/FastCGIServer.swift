import CFastCGI
import CSupport
import Foundation

/// A FastCGI worker: accepts connections on the socket that is its fd 0 (the FastCGI
/// convention, so it runs under `itinera serve`, spawn-fcgi or a host's FastCGI manager) and
/// answers one request at a time. When fd 0 is not a socket it answers one CGI request instead.
public struct FastCGIServer {
    public let bodyLimit: BodyLimit

    public init(bodyLimit: BodyLimit) {
        self.bodyLimit = bodyLimit
    }

    /// Serves until SIGTERM or SIGINT; a request in progress is finished first. Returns the exit status.
    public func run(_ respond: Responder) -> Int32 {
        guard FCGX_Init() == 0 else {
            RequestLog.event("fastcgi_init_failed", level: "error")
            return 1
        }
        if FCGX_IsCGI() != 0 {
            return CGIServer(bodyLimit: bodyLimit).run(respond)
        }
        itn_signals_block(1)
        itn_signal_catch(SIGTERM)
        itn_signal_catch(SIGINT)
        itn_signal_catch(SIGALRM)
        itn_signal_ignore(SIGHUP)
        itn_signal_ignore(SIGPIPE)
        RequestLog.startBuffering()

        // libfcgi keeps pointers into the request struct between calls: it must not move.
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        FCGX_InitRequest(request, 0, itn_fcgi_fail_accept_on_intr())
        // Signals stay blocked except while waiting for a connection: a stop (SIGTERM, or SIGHUP's
        // replacement) then interrupts only the wait, never libfcgi reading a request it has
        // accepted (its reads give up on EINTR, and nginx would answer 502). The shared socket is
        // non-blocking so a worker that loses the race for a connection gets EAGAIN and waits again.
        _ = itn_set_nonblocking(0)
        RequestLog.event("worker_started")
        while true {
            if Self.stopRequested { break }
            if itn_signal_take(SIGALRM) != 0 { RequestLog.flush() }
            let ready = itn_wait_readable(0)
            if ready == 0 { continue }  // a signal: look at the flags again
            if ready < 0 {
                RequestLog.event("wait_failed", level: "error", ["errno": .integer(Int64(errno))])
                RequestLog.flush()
                return 1
            }
            let accepted = FCGX_Accept_r(request)
            if accepted < 0 {
                if Self.stopRequested { break }
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                // EINVAL: the supervisor shut the listening socket down for a full stop.
                if errno == EINVAL { break }
                RequestLog.event("accept_failed", level: "error", ["errno": .integer(Int64(errno))])
                RequestLog.flush()
                return 1
            }
            serve(request, respond)
            // nginx opens one connection per request (fastcgi_keep_conn off) and closes it after
            // the END_REQUEST record. libfcgi's default close shuts down and then waits for that
            // close; with the request read to its end, a plain close is as safe and saves a
            // blocking round trip to nginx per request. Detach makes FCGX_Finish_r close plainly.
            Self.drain(request.pointee.in)
            FCGX_Detach(request)
            FCGX_Finish_r(request)
        }
        FCGX_Free(request, 1)
        RequestLog.event("worker_stopped")
        RequestLog.flush()
        return 0
    }

    private static var stopRequested: Bool {
        itn_signals_peek() & (1 << UInt(SIGTERM) | 1 << UInt(SIGINT)) != 0
    }

    private func serve(_ request: UnsafeMutablePointer<FCGX_Request>, _ respond: Responder) {
        let params = Self.parameters(request.pointee.envp)
        var rejection = BodyPolicy.rejection(params, limit: bodyLimit)
        var body: [UInt8] = []
        if rejection == nil, let length = Request.contentLength(params), length > 0 {
            body = Self.read(request.pointee.in, count: length)
            if body.count < length {
                rejection = .badRequest("incomplete_body", "The request body ended before Content-Length bytes.")
            }
        }
        let parsed = Request(cgi: params, body: body)
        let bytes = respond(parsed, rejection).serialized(requestId: parsed.requestId)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                _ = FCGX_PutStr(pointer, Int32(buffer.count), request.pointee.out)
            }
        }
    }

    private static func parameters(_ envp: FCGX_ParamArray?) -> [String: String] {
        var params: [String: String] = [:]
        guard var cursor = envp else { return params }
        while let entry = cursor.pointee {
            if let equals = strchr(entry, Int32(UInt8(ascii: "="))) {
                let nameLength = equals - entry
                let name = entry.withMemoryRebound(to: UInt8.self, capacity: nameLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: nameLength), as: UTF8.self)
                }
                params[name] = String(cString: equals + 1)
            }
            cursor += 1
        }
        return params
    }

    /// Reads and drops what is left of the request stream (the closing empty FCGI_STDIN record).
    private static func drain(_ stream: UnsafeMutablePointer<FCGX_Stream>?) {
        var scratch = [CChar](repeating: 0, count: 4096)
        while FCGX_GetStr(&scratch, Int32(scratch.count), stream) > 0 {}
    }

    private static func read(_ stream: UnsafeMutablePointer<FCGX_Stream>?, count: Int) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = body.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: count) { pointer in
                    FCGX_GetStr(pointer + filled, Int32(count - filled), stream)
                }
            }
            if got <= 0 { break }
            filled += Int(got)
        }
        return Array(body[0..<filled])
    }
}
