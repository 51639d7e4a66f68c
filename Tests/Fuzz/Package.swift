// swift-tools-version:6.0
// Coverage-guided fuzzers for scimtape, built with libFuzzer by .ci/fuzz:
//   swift build -c release -Xswiftc -sanitize=fuzzer
// A separate package, so that the fuzzer instrumentation and libFuzzer stay out of normal builds.
import PackageDescription

let package = Package(
    name: "scimtape-fuzz",
    dependencies: [.package(name: "scimtape", path: "../..")],
    targets: [
        .target(name: "CFuzz"),
        .executableTarget(
            name: "FuzzJSON", dependencies: ["CFuzz", .product(name: "FuzzTargets", package: "scimtape")]),
        .executableTarget(
            name: "FuzzTranscript", dependencies: ["CFuzz", .product(name: "FuzzTargets", package: "scimtape")]),
        .executableTarget(
            name: "FuzzFilter", dependencies: ["CFuzz", .product(name: "FuzzTargets", package: "scimtape")]),
        .executableTarget(
            name: "FuzzPatch", dependencies: ["CFuzz", .product(name: "FuzzTargets", package: "scimtape")]),
        .executableTarget(
            name: "FuzzHAR", dependencies: ["CFuzz", .product(name: "FuzzTargets", package: "scimtape")]),
    ]
)
