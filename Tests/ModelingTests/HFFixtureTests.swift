import Foundation
import Testing
@testable import Modeling

/// Files written by `transformers` itself (HFFixtures/tiny-gpt2, see its README) load in Lathe, and the
/// numpy reference reproduces transformers' own logits, so the reference is trustworthy without torch.
@Suite struct HFFixtureTests {
    static let fixture = HFTestSupport.testsDirectory.appendingPathComponent("HFFixtures/tiny-gpt2")

    struct Expected: Decodable {
        let ids: [Int32]
        let logits: [[Double]]
        let loss: Double
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture.appendingPathComponent("expected.json")))
    }

    @Test func aCheckpointSavedByTransformersImports() throws {
        let checkpoint = try HFCheckpoint.read(directory: Self.fixture)
        #expect(checkpoint.config == HFGPT2Config(
            vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2, bosTokenID: 10, eosTokenID: 10))
        #expect(checkpoint.weights.count == 28)
        #expect(checkpoint.weights["h.1.attn.c_attn.weight"]?.count == 8 * 24)
    }

    @Test func theNumpyReferenceReproducesTransformersLogits() throws {
        let expected = try Self.expected()
        let script = HFTestSupport.testsDirectory.appendingPathComponent("reference_gpt2.py").path
        let output = try HFTestSupport.runPython(
            [script, Self.fixture.path, expected.ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let logits = try #require(json["logits"] as? [[Double]])
        let loss = try #require(json["loss"] as? Double)
        // float64 reference vs transformers' float32: agreement to ~1e-6 is expected; 1e-5 catches any math slip.
        let worst = zip(logits.joined(), expected.logits.joined()).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "largest logit difference \(worst)")
        #expect(abs(loss - expected.loss) < 1e-5)
    }
}
