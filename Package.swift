// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "scimtape",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "scimtape", targets: ["scimtape"]),
        .library(name: "SCIM", targets: ["SCIM"]),
        .library(name: "ReferenceServer", targets: ["ReferenceServer"]),
        .library(name: "Verifier", targets: ["Verifier"]),
        .library(name: "Transcript", targets: ["Transcript"]),
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "Logging"),
        .target(name: "SCIM"),
        .target(name: "HTTP", dependencies: ["CCurl", "CMicroHTTPD", "Logging"]),
        .target(name: "Transcript", dependencies: ["SCIM", "HTTP"]),
        .target(name: "ReferenceServer", dependencies: ["SCIM", "HTTP", "Logging", "CSQLite"]),
        .target(name: "Simulator", dependencies: ["SCIM", "HTTP", "Transcript", "Logging"]),
        .target(name: "Recorder", dependencies: ["HTTP", "Transcript", "SCIM", "Logging"]),
        .target(name: "Verifier", dependencies: ["SCIM", "HTTP", "Transcript", "ReferenceServer", "Logging"]),
        .target(name: "FuzzTargets", dependencies: ["SCIM", "Transcript"]),
        .executableTarget(
            name: "scimtape",
            dependencies: [
                "SCIM", "HTTP", "Transcript", "ReferenceServer", "Simulator", "Verifier", "Recorder", "Logging",
            ]
        ),
        .executableTarget(name: "scimtape-bench", dependencies: ["HTTP", "SCIM", "Logging"]),
        .testTarget(name: "SCIMTests", dependencies: ["SCIM", "FuzzTargets", "Transcript", "HTTP"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "TranscriptTests", dependencies: ["Transcript", "SCIM", "HTTP"]),
        // Raw-socket clients and listeners that several test targets use to play a broken peer.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ReferenceServerTests", dependencies: ["ReferenceServer", "HTTP", "SCIM", "TestSupport"]),
        .testTarget(
            name: "SimulatorTests", dependencies: ["Simulator", "ReferenceServer", "Transcript", "SCIM", "HTTP"]),
        .testTarget(
            name: "VerifierTests",
            dependencies: ["Verifier", "ReferenceServer", "Transcript", "SCIM", "HTTP", "TestSupport"]
        ),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "Recorder", "ReferenceServer", "Verifier", "Transcript", "SCIM", "HTTP", "Logging", "TestSupport",
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["SCIM", "HTTP", "TestSupport"]),
    ]
)
