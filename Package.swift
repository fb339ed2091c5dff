// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "itinera",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "itinera", targets: ["itinera"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // C libraries: one system-library target per library, each a module map plus a shim header.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // Async-signal-safe flags and process helpers that Swift cannot express safely.
        .target(name: "CSupport"),

        .target(name: "ItineraStore", dependencies: ["CPostgres", "COpenSSL"]),
        .target(name: "ItineraHTTP", dependencies: ["CFastCGI", "CSupport"]),
        .target(name: "ItineraAPI", dependencies: ["ItineraStore", "ItineraHTTP"]),
        .executableTarget(
            name: "itinera",
            dependencies: [
                "ItineraAPI", "ItineraStore", "ItineraHTTP", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "ItineraHTTPTests", dependencies: ["ItineraHTTP"]),
        .testTarget(name: "ItineraStoreTests", dependencies: ["ItineraStore"]),
        .testTarget(name: "ItineraAPITests", dependencies: ["ItineraAPI", "ItineraHTTP"]),
    ]
)
