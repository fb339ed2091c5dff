import Testing

@testable import ItineraHTTP

@Suite struct PoolMetricsTests {
    let routes = [(method: "GET", pattern: "/api/health"), (method: "POST", pattern: "/api/echo")]

    private func sharedMemory() -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: PoolMetrics.byteSize, alignment: 8)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: PoolMetrics.byteSize)
        return memory
    }

    @Test func sumsAllWorkersOfThePool() {
        let memory = sharedMemory()
        let first = PoolMetrics(memory: memory, slot: 0, routes: routes)
        let second = PoolMetrics(memory: memory, slot: 1, routes: routes)
        first.record(route: 0, status: 200, seconds: 0.0004)
        second.record(route: 0, status: 200, seconds: 0.02)
        second.record(route: nil, status: 404, seconds: 0.0001)
        let text = first.prometheusText()
        #expect(text.contains(#"itinera_http_requests_total{method="GET",route="/api/health",status="200"} 2"#))
        #expect(text.contains(#"itinera_http_requests_total{method="",route="unmatched",status="404"} 1"#))
        #expect(
            text.contains(
                #"itinera_http_request_duration_seconds_bucket{method="GET",route="/api/health",le="0.001"} 1"#))
        #expect(
            text.contains(
                #"itinera_http_request_duration_seconds_bucket{method="GET",route="/api/health",le="+Inf"} 2"#))
        #expect(text.contains(#"itinera_http_request_duration_seconds_count{method="GET",route="/api/health"} 2"#))
    }

    @Test func supervisorHeaderIsSharedAndSlotsOfOtherRouteTablesAreIgnored() {
        let memory = sharedMemory()
        let supervisor = PoolMetrics(memory: memory, slot: nil, routes: [])
        supervisor.setConfiguredWorkers(4)
        supervisor.recordWorkerRestart()
        let older = PoolMetrics(memory: memory, slot: 2, routes: [(method: "GET", pattern: "/old")])
        older.record(route: 0, status: 500, seconds: 1)
        let current = PoolMetrics(memory: memory, slot: 0, routes: routes)
        let text = current.prometheusText()
        #expect(text.contains("itinera_worker_restarts_total 1\n"))
        #expect(text.contains("itinera_workers 4\n"))
        #expect(!text.contains("status=\"500\""))
    }

    @Test func aRespawnedWorkerKeepsCountingInItsSlot() {
        let memory = sharedMemory()
        PoolMetrics(memory: memory, slot: 3, routes: routes).record(route: 1, status: 201, seconds: 0.01)
        let replacement = PoolMetrics(memory: memory, slot: 3, routes: routes)
        replacement.record(route: 1, status: 201, seconds: 0.01)
        #expect(replacement.prometheusText().contains(#"route="/api/echo",status="201"} 2"#))
    }
}
