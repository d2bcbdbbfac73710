// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Upcoming-feature flags every target shares (style.md §3.1).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Release builds on x86-64 let LLVM use AVX2 and FMA (`-target-cpu haswell`: every x86 laptop and server
/// CPU since 2013-15): the elementwise kernels (GELU, softmax, LayerNorm, AdamW) vectorise 8 floats wide
/// instead of SSE's 4. `lathe` checks the CPU at start and says how to rebuild when it lacks them;
/// `LATHE_PORTABLE=1 swift build -c release` builds for any x86-64.
#if arch(x86_64)
let cpuFlags = ProcessInfo.processInfo.environment["LATHE_PORTABLE"] == "1" ? [] : ["-target-cpu", "haswell"]
#else
let cpuFlags: [String] = []
#endif

/// The engine's hot loops are proven by naive-twin and finite-difference tests, so release builds drop
/// bounds and overflow checks there (llm.c's -Ofast spirit).
let engineSettings: [SwiftSetting] = strictSettings + [
    .unsafeFlags(["-Ounchecked", "-wmo"] + cpuFlags, .when(configuration: .release)),
]

/// Readers of untrusted bytes (safetensors headers, tokenizer.json, dataset files) keep Swift's bounds and
/// overflow checks: a malformed file must stop with a trap at worst, never read past a buffer. They still
/// get whole-module optimisation and AVX2; only the engine's proven loops drop the checks.
let readerSettings: [SwiftSetting] = strictSettings + [
    .unsafeFlags(["-wmo"] + cpuFlags, .when(configuration: .release)),
]

/// Open MPI (Debian's libopenmpi-dev, pkg-config `ompi-c`) is optional: with it, `mpirun -np N lathe run`
/// trains data-parallel across ranks (the `CMPI` target and `Cluster`'s `#if canImport(CMPI)` code);
/// without it the build still works and `lathe` under `mpirun` says how to get it. Decided when the
/// manifest is evaluated: after installing Open MPI, `touch Package.swift`. `LATHE_MPI=0` builds
/// without it even when installed.
let openMPIHeader = "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h"
let withMPI: Bool = {
    if ProcessInfo.processInfo.environment["LATHE_MPI"] == "0" { return false }
    let pkgConfig = Process()
    pkgConfig.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    pkgConfig.arguments = ["pkg-config", "--exists", "ompi-c"]
    pkgConfig.standardOutput = nil
    pkgConfig.standardError = nil
    if (try? pkgConfig.run()) != nil {
        pkgConfig.waitUntilExit()
        if pkgConfig.terminationStatus == 0 { return true }
    }
    return FileManager.default.fileExists(atPath: openMPIHeader)
}()
let mpiTargets: [Target] = withMPI ? [
    .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
] : []
let mpiDependency: [Target.Dependency] = withMPI ? ["CMPI"] : []

let package = Package(
    name: "Lathe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lathe", targets: ["CLI"]),
        .executable(name: "lathe-bench", targets: ["LatheBench"]),
        // The untrusted-input readers, for the separate fuzzing package in Fuzz/ (not built here).
        .library(name: "LatheReaders", targets: ["Recipes", "Files", "SafeTensors", "Tokenization", "Datasets", "GGUF", "Modeling", "Orchestration", "JSONText"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System library: Debian's libopenblas-dev. The only C in the project.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Compute", dependencies: ["COpenBLAS"], swiftSettings: engineSettings),
        // The process group of an `mpirun`/`srun` job (Open MPI when built with it, else one process).
        .target(name: "Cluster", dependencies: mpiDependency, swiftSettings: strictSettings),
        // POSIX reads of regular files and atomic writes: the one file layer every module shares.
        .target(name: "Files", swiftSettings: strictSettings),
        .target(name: "SafeTensors", dependencies: ["JSONText", "Files"], swiftSettings: readerSettings),
        .target(name: "Tokenization", dependencies: ["JSONText", "Files"], swiftSettings: readerSettings),
        // llama.cpp's GGUF files in and out. Untrusted input: keeps bounds and overflow checks (strictSettings).
        .target(name: "GGUF", swiftSettings: strictSettings),
        // Dataset readers, chat/instruction templates and token shards: the data path every
        // training stage shares. Its own target so Tokenization stays a pure BPE library.
        .target(name: "Datasets", dependencies: ["Tokenization", "Checksums", "Files", "JSONText"], swiftSettings: readerSettings),
        // FNV-1a for the private scratch files of Datasets and Modeling (one copy, no other dependency).
        .target(name: "Checksums", swiftSettings: strictSettings),
        // The one JSON value type, strict parser and deterministic writer (serde_json-style string literals)
        // every JSON file Lathe reads or writes goes through. Untrusted input: keeps bounds checks.
        .target(name: "JSONText", swiftSettings: readerSettings),
        .target(
            name: "Modeling",
            dependencies: ["Compute", "SafeTensors", "Tokenization", "Checksums", "GGUF", "Cluster", "Files", "JSONText"],
            swiftSettings: engineSettings
        ),
        .target(name: "Recipes", dependencies: ["JSONText", "Datasets", .product(name: "Yams", package: "Yams")], swiftSettings: strictSettings),
        .target(
            name: "Orchestration",
            dependencies: ["JSONText", "Files", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Stages",
            dependencies: ["Compute", "Modeling", "GGUF", "Recipes", "Orchestration", "Tokenization", "Datasets", "Cluster", "Files", "JSONText"],
            swiftSettings: strictSettings
        ),
        // The remote cache's HTTP transport (URLSession / FoundationNetworking, libcurl underneath); only the
        // CLI links it, so the engine and Orchestration stay free of networking.
        .target(name: "RemoteHTTP", dependencies: ["Orchestration"], swiftSettings: strictSettings),
        // Run reports (HTML with inline SVG, Markdown) from the store and lock file; no engine code.
        .target(name: "Reporting", dependencies: ["Orchestration", "JSONText"], swiftSettings: strictSettings),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Stages", "Recipes", "Orchestration", "Reporting", "Modeling", "GGUF", "Compute", "RemoteHTTP", "Cluster", "Files", "JSONText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Tells CPUCheck that the engine was built for AVX2 + FMA.
            swiftSettings: strictSettings + [
                .unsafeFlags(cpuFlags.isEmpty ? [] : ["-D", "LATHE_ENGINE_AVX2"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "LatheBench",
            dependencies: ["Compute", "Modeling", "GGUF", "Tokenization", "Datasets", "Orchestration", "Recipes", "Stages", "Cluster", "JSONText"],
            swiftSettings: engineSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Compute", "Orchestration", "JSONText"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Files", "JSONText", "TestSupport"], exclude: ["ChatTemplates"], swiftSettings: strictSettings),
        .testTarget(
            name: "ModelingTests",
            dependencies: ["Modeling", "GGUF", "Tokenization", "JSONText", "TestSupport"],
            // Read by path from the HF tests (the script runs as a subprocess), not bundled as resources.
            exclude: ["reference_gpt2.py", "HFFixtures", "LlamaFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GGUFTests",
            dependencies: ["GGUF", "Modeling", "Compute", "TestSupport"],
            // Run as subprocesses by path (gguf-py and transformers), not bundled.
            exclude: ["gguf_fixtures.py"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"], swiftSettings: strictSettings),
        // Stages for `ModelFolderPreflight`, the model-file reader the loader's preflight tests go through.
        .testTarget(name: "RecipesTests", dependencies: ["Recipes", "Stages", "Datasets", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "OrchestrationTests", dependencies: ["Orchestration", "JSONText", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "JSONText", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "RemoteHTTPTests", dependencies: ["RemoteHTTP", "Orchestration", "TestSupport"], swiftSettings: strictSettings),
        // Spawns `mpirun` over the built lathe-bench and lathe.
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "TestSupport"], swiftSettings: strictSettings),
    ] + mpiTargets
)
