import Foundation
import ItineraCore
import Testing

@Suite struct UUIDParsingTests {
    @Test func readsWhatFoundationReads() {
        for text in [
            "3f5bae75-f16a-4267-a4ff-ca1a5bbf0cde", "3F5BAE75-F16A-4267-A4FF-CA1A5BBF0CDE",
            "00000000-0000-4000-8000-00000000d001", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ] {
            #expect(UUID(parsing: text) == UUID(uuidString: text), "\(text)")
            #expect(UUID(parsing: text) != nil)
        }
    }

    @Test func refusesAnythingElse() {
        for text in [
            "", "3f5bae75f16a4267a4ffca1a5bbf0cde", "3f5bae75-f16a-4267-a4ff-ca1a5bbf0cd",
            "3f5bae75-f16a-4267-a4ff-ca1a5bbf0cdee", "3f5bae75-f16a-4267-a4ff_ca1a5bbf0cde",
            "3f5bae75-f16a-4267-a4ff-ca1a5bbf0cdg", "{3f5bae75-f16a-4267-a4ff-ca1a5bbf0cd}",
            "3f5bae7é-f16a-4267-a4ff-ca1a5bbf0cde", "+f5bae75-f16a-4267-a4ff-ca1a5bbf0cde",
        ] {
            #expect(UUID(parsing: text) == nil, "\(text)")
        }
    }
}
