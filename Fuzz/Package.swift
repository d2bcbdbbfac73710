// swift-tools-version:6.0
// libFuzzer targets for Lathe's untrusted-input readers. Kept out of the main package so its build and
// tests never need the sanitizers. Build and run with scripts/fuzz.sh (see RELIABILITY.md).
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so read the checkout's folder name.
let lathe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Each target's @main hands the process to libFuzzer (FuzzSupport.runLibFuzzer).
    .unsafeFlags(["-parse-as-library"]),
]

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport", .product(name: "LatheReaders", package: lathe)], swiftSettings: settings)
}

let package = Package(
    name: "LatheFuzz",
    dependencies: [.package(path: "..")],
    targets: ["FuzzRecipe", "FuzzSafeTensors", "FuzzTokenizerJSON", "FuzzJSONL", "FuzzInstructionJSON", "FuzzTokenShard", "FuzzGGUF", "FuzzHFConfig", "FuzzWordPieceJSON", "FuzzRemoteEntry"]
        .map(fuzzTarget) + [.target(name: "FuzzSupport", swiftSettings: Array(settings.dropLast()))]
)
