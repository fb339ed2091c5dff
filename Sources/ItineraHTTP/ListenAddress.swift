import Foundation

/// Where a FastCGI pool listens: `unix:/path/to.sock` or `host:port` (IPv4).
public enum ListenAddress: Equatable, Sendable {
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    /// Parses the `--listen` value; nil when it is neither form.
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/"), path.utf8.count < 108 else { return nil }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        let host = String(text[..<colon])
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return nil }
        self = .tcp(host: host, port: port)
    }

    /// Creates, binds and listens (backlog 4096: a full backlog makes nginx answer 502). The
    /// descriptor is close-on-exec; whoever hands it to a worker duplicates it onto fd 0.
    /// A stale unix socket file is replaced; `mode` sets its permissions.
    public func bind(mode: mode_t = 0o660) throws -> Int32 {
        switch self {
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw ListenError("socket", errno) }
            unlink(path)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(path.utf8) + [0])
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Foundation.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { defer { close(fd) }; throw ListenError("bind \(path)", errno) }
            chmod(path, mode)
            return try listenOn(fd)
        case .tcp(let host, let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw ListenError("socket", errno) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Foundation.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { defer { close(fd) }; throw ListenError("bind \(host):\(port)", errno) }
            return try listenOn(fd)
        }
    }

    private func listenOn(_ fd: Int32) throws -> Int32 {
        guard listen(fd, 4096) == 0 else { defer { close(fd) }; throw ListenError("listen", errno) }
        return fd
    }
}

/// A socket call that failed while setting up the listener.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
    init(_ operation: String, _ code: Int32) {
        description = "\(operation): \(String(cString: strerror(code)))"
    }
}
