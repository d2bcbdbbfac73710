import Foundation
@testable import Modeling
import TestSupport

/// Helpers shared by the HF checkpoint tests (test-local so the file stays within this suite's ownership).
enum HFTestSupport {
    /// A tiny GPT-2: V=11, P=8, d=8, 2 layers, 2 heads, f=32 (every weight shape distinct from its neighbors).
    static let tinyConfig = HFGPT2Config(vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2, bosTokenID: 10, eosTokenID: 10)

    /// Seeded random weights in [-0.5, 0.5) with LayerNorm gains near 1, so every tensor matters.
    static func randomCheckpoint(_ config: HFGPT2Config = tinyConfig, seed: UInt64 = 1) -> HFCheckpoint {
        var rng = SplitMixGenerator(seed: seed)
        var weights: [String: [Float]] = [:]
        for spec in config.weightSpecs {
            let isGain = spec.name.hasSuffix("ln_1.weight") || spec.name.hasSuffix("ln_2.weight") || spec.name == "ln_f.weight"
            weights[spec.name] = (0..<spec.elementCount).map { _ in
                let u = Float(rng.next() >> 40) / Float(1 << 24) - 0.5
                return isGain ? 1 + u / 2 : u
            }
        }
        return HFCheckpoint(config: config, weights: weights)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-hf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `python3 path arguments…` (or `-c script`) and returns stdout (see `TestSupport.Python`).
    static func runPython(_ arguments: [String]) throws -> String { try Python.run(arguments) }

    typealias PythonFailure = Python.Failure

    /// The directory holding this file (and `reference_gpt2.py`).
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

}
