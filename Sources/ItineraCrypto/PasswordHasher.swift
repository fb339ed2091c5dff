import CArgon2

/// Argon2id password hashes (libargon2) in the PHC string form, which carries its own parameters:
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. Raising the parameters later only needs a new
/// `PasswordHasher`; `needsRehash` tells login to upgrade a stored hash.
public struct PasswordHasher: Sendable {
    /// Memory in KiB, iterations, lanes. Defaults: OWASP's Argon2id minimum (19 MiB, 2, 1).
    public let memoryKiB: UInt32
    public let iterations: UInt32
    public let parallelism: UInt32

    public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// A fresh hash of `password` with a random 16-byte salt.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(16)
        let bytes = Array(password.utf8)
        let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let result = argon2id_hash_encoded(
            iterations, memoryKiB, parallelism, bytes, bytes.count, salt, salt.count, 32, &encoded, length)
        precondition(result == ARGON2_OK.rawValue, "argon2id_hash_encoded failed: \(result)")
        return String(cString: encoded)
    }

    /// True when `password` matches `encoded` (any Argon2id parameters).
    public func verify(_ password: String, against encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
    }

    /// True when `encoded` was made with other parameters than this hasher's.
    public func needsRehash(_ encoded: String) -> Bool {
        !encoded.hasPrefix("$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$")
    }

    /// A well-formed hash of a random password: verifying against it costs what a real check
    /// costs, so an unknown e-mail answers as slowly as a wrong password.
    public static let decoy = PasswordHasher().hash(SecureRandom.token())
}
