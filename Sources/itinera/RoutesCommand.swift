import ArgumentParser
import ItineraAPI

/// `itinera routes`: the route table as `METHOD /path` lines, in the order they were added (the
/// test-only routes left out). The contract test compares it with `docs/openapi.yaml`.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Print the API's routes, one `METHOD /path` per line.")

    func run() throws {
        for route in Routes.make(AppConfig(databaseURL: "")).routes {
            print("\(route.method) \(route.pattern)")
        }
    }
}
