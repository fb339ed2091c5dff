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
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Async-signal-safe flags and process helpers that Swift cannot express safely.
        .target(name: "CSupport"),

        .target(name: "ItineraCore"),
        .target(name: "ItineraCrypto", dependencies: ["ItineraCore", "COpenSSL", "CArgon2"]),
        .target(name: "ItineraStore", dependencies: ["CPostgres", "ItineraCrypto"]),
        .target(name: "ItineraHTTP", dependencies: ["ItineraCore", "CFastCGI", "CSupport", "CCurl"]),
        .target(name: "ItineraPayments", dependencies: ["ItineraCrypto", "ItineraHTTP", "ItineraStore"]),
        .target(
            name: "ItineraAPI",
            dependencies: ["ItineraCore", "ItineraCrypto", "ItineraStore", "ItineraHTTP", "ItineraPayments"]),
        .target(
            name: "ItineraWorker",
            dependencies: ["ItineraCore", "ItineraStore", "ItineraHTTP", "ItineraPayments", "CSupport"]),
        .executableTarget(
            name: "itinera",
            dependencies: [
                "ItineraAPI", "ItineraCrypto", "ItineraStore", "ItineraHTTP", "ItineraPayments", "ItineraWorker",
                "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "ItineraCoreTests", dependencies: ["ItineraCore"]),
        .testTarget(name: "ItineraCryptoTests", dependencies: ["ItineraCrypto"]),
        .testTarget(name: "ItineraHTTPTests", dependencies: ["ItineraHTTP"]),
        .testTarget(name: "ItineraStoreTests", dependencies: ["ItineraStore"]),
        .testTarget(name: "ItineraPaymentsTests", dependencies: ["ItineraPayments", "ItineraCrypto"]),
        .testTarget(name: "ItineraAPITests", dependencies: ["ItineraAPI", "ItineraHTTP", "ItineraCrypto"]),
    ]
)
