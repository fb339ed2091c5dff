import Testing

@testable import ItineraCrypto

@Suite struct CryptoTests {
    @Test func hmacSHA256MatchesRFC4231TestCase2() {
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEqualityComparesContentAndLength() {
        #expect(HMAC.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test func hexAndBase64URLRoundTrip() {
        #expect(Hex.decode("00ff10Ab") == [0, 255, 16, 171])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.bytea([0xde, 0xad]) == "\\xdead")
        #expect(Base64URL.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }

    @Test func randomTokensAreLongAndDistinct() {
        let tokens = Set((0..<100).map { _ in SecureRandom.token(prefix: "itn_") })
        #expect(tokens.count == 100)
        #expect(tokens.allSatisfy { $0.hasPrefix("itn_") && $0.count == 47 })
    }

    @Test func argon2idHashesVerifyAndCarryTheirParameters() {
        let fast = PasswordHasher(memoryKiB: 1024, iterations: 1, parallelism: 1)
        let hash = fast.hash("correct horse")
        #expect(hash.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(fast.verify("correct horse", against: hash))
        #expect(!fast.verify("correct horsE", against: hash))
        #expect(!fast.verify("correct horse", against: "not a hash"))
        #expect(fast.hash("correct horse") != hash)  // salted
        #expect(!fast.needsRehash(hash))
        #expect(PasswordHasher().needsRehash(hash))
    }
}
