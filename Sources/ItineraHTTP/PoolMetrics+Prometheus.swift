extension PoolMetrics {
    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    public func prometheusText() -> String {
        let (counts, buckets, microseconds) = totals()
        var out = "# HELP itinera_http_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE itinera_http_requests_total counter\n"
        for row in counts.indices {
            for (column, count) in counts[row].enumerated() where count > 0 {
                let status = column < Self.statuses.count ? String(Self.statuses[column]) : "other"
                out += "itinera_http_requests_total{\(labels(row)),status=\"\(status)\"} \(count)\n"
            }
        }
        out += "# HELP itinera_http_request_duration_seconds Time from reading a request to writing its answer.\n"
        out += "# TYPE itinera_http_request_duration_seconds histogram\n"
        for row in buckets.indices {
            let total = buckets[row].reduce(0, &+)
            guard total > 0 else { continue }
            var cumulative: UInt64 = 0
            for (column, count) in buckets[row].enumerated() {
                cumulative &+= count
                let bound = column < Self.bucketBounds.count ? String(Self.bucketBounds[column]) : "+Inf"
                out += "itinera_http_request_duration_seconds_bucket{\(labels(row)),le=\"\(bound)\"} \(cumulative)\n"
            }
            let seconds = Double(microseconds[row]) / 1_000_000
            out += "itinera_http_request_duration_seconds_sum{\(labels(row))} \(seconds)\n"
            out += "itinera_http_request_duration_seconds_count{\(labels(row))} \(total)\n"
        }
        out += "# HELP itinera_worker_restarts_total Workers the supervisor started again after they died.\n"
        out += "# TYPE itinera_worker_restarts_total counter\n"
        out += "itinera_worker_restarts_total \(workerRestarts)\n"
        out += "# HELP itinera_workers Workers the supervisor keeps running (0 outside a pool).\n"
        out += "# TYPE itinera_workers gauge\n"
        out += "itinera_workers \(configuredWorkers)\n"
        return out
    }

    private func labels(_ row: Int) -> String {
        let (method, pattern) = label(row: row)
        return "method=\"\(method)\",route=\"\(pattern)\""
    }
}
