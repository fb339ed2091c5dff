import Foundation
import Testing

@testable import ItineraAPI
@testable import ItineraHTTP
@testable import ItineraStore

@Suite struct DispatcherTests {
    struct Boom: Error {}

    private func dispatcher(_ configure: (inout Router<Void>) -> Void) -> Dispatcher<Void> {
        var router = Router<Void>()
        configure(&router)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: PoolMetrics.byteSize, alignment: 8)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: PoolMetrics.byteSize)
        let metrics = PoolMetrics(memory: memory, slot: 0, routes: router.routes.map { ($0.method, $0.pattern) })
        return Dispatcher(router: router, metrics: metrics)
    }

    private func error(_ response: Response) throws -> [String: Any] {
        let body = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return try #require(body["error"] as? [String: Any])
    }

    @Test func unexpectedErrorsBecomeA500ThatRevealsNothing() throws {
        let dispatcher = dispatcher { $0.get("/x") { _, _ in throw Boom() } }
        let response = dispatcher.respond(to: Request(method: "GET", path: "/x"), context: ())
        #expect(response.status == 500)
        let error = try error(response)
        #expect(error["code"] as? String == "internal_error")
        #expect(!(error["message"] as? String ?? "").contains("Boom"))
    }

    @Test func databaseOutageIsA503AndQueryErrorsHideTheirSQL() throws {
        let down = StoreError(.unavailable, message: "could not connect to server", context: "connecting")
        let broken = StoreError(.query, sqlState: "42703", message: "column \"secret\" does not exist", context: "x")
        let dispatcher = dispatcher {
            $0.get("/down") { _, _ in throw down }
            $0.get("/broken") { _, _ in throw broken }
        }
        let downResponse = dispatcher.respond(to: Request(method: "GET", path: "/down"), context: ())
        #expect(downResponse.status == 503)
        #expect(try error(downResponse)["code"] as? String == "database_unavailable")
        let brokenResponse = dispatcher.respond(to: Request(method: "GET", path: "/broken"), context: ())
        #expect(brokenResponse.status == 500)
        #expect(!String(decoding: brokenResponse.body, as: UTF8.self).contains("secret"))
    }

    @Test func outdatedSchemaSaysWhatToRun() throws {
        let outdated = StoreError(.schemaOutdated(current: 1, required: 3), message: "", context: "")
        let dispatcher = dispatcher { $0.get("/x") { _, _ in throw outdated } }
        let response = dispatcher.respond(to: Request(method: "GET", path: "/x"), context: ())
        #expect(response.status == 503)
        let error = try error(response)
        #expect(error["code"] as? String == "schema_outdated")
        #expect((error["message"] as? String)?.contains("itinera migrate") == true)
    }

    @Test func rejectionsAreAnsweredWithoutCallingTheHandler() throws {
        let dispatcher = dispatcher { $0.post("/x") { _, _ in Response(status: 200) } }
        let response = dispatcher.respond(
            to: Request(method: "POST", path: "/x"), context: (), rejection: .payloadTooLarge(limit: 10))
        #expect(response.status == 413)
        #expect(try error(response)["code"] as? String == "payload_too_large")
    }

    @Test func headResponsesHaveNoBody() {
        let dispatcher = dispatcher { $0.get("/x") { _, _ in try Envelope.success("hi", requestId: "r") } }
        let response = dispatcher.respond(to: Request(method: "HEAD", path: "/x"), context: ())
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test func productionRouteTableHasNoTestRoutes() {
        let patterns = Routes.make(AppConfig(databaseURL: "")).routes.map(\.pattern)
        #expect(patterns.contains("/api/health"))
        #expect(!patterns.contains { $0.hasPrefix("/api/_test") })
        #expect(
            Routes.make(AppConfig(databaseURL: "", testRoutes: true)).routes.contains {
                $0.pattern == "/api/_test/echo"
            })
    }
}
