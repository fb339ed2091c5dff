import Testing

@testable import ItineraHTTP

@Suite struct ListenAddressTests {
    @Test func parsesUnixAndTCPForms() {
        #expect(ListenAddress("unix:/run/itinera.sock") == .unix(path: "/run/itinera.sock"))
        #expect(ListenAddress("127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
    }

    @Test func rejectsRelativePathsBadPortsAndHostnames() {
        #expect(ListenAddress("unix:run/itinera.sock") == nil)
        #expect(ListenAddress("127.0.0.1:0") == nil)
        #expect(ListenAddress("127.0.0.1:70000") == nil)
        #expect(ListenAddress("localhost:9000") == nil)
        #expect(ListenAddress("9000") == nil)
    }
}
