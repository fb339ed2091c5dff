import COpenSSL

/// Unpredictable bytes from OpenSSL's CSPRNG, for session ids, tokens, salts and secrets.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed: no secure randomness available")
        return bytes
    }

    /// `prefix` + 256 random bits in base64url (43 characters).
    public static func token(prefix: String = "") -> String {
        prefix + Base64URL.encode(bytes(32))
    }
}
