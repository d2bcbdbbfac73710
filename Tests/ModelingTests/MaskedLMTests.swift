import Foundation
import TestSupport
import Testing
@testable import Modeling
import Compute

/// BertForMaskedLM on the encoder: loss, logits and every gradient equal transformers' on a tiny random
/// model; the export loads in transformers as BertForMaskedLM with equal logits; the 80/10/10 masking.
@Suite struct MaskedLMTests {
    static let script = HFTestSupport.testsDirectory.appendingPathComponent("reference_bert.py").path

    struct Reference: Decodable {
        var loss: Double
        var logits: [Double]
        var grads: [String: [Double]]
    }

    func reference(_ folder: URL, _ batch: EncoderBatch, targets: [Int32]) throws -> Reference {
        let t = batch.sequenceLength
        func rows(_ v: [Int32]) -> [[Int32]] { (0..<batch.batchSize).map { Array(v[($0 * t)..<(($0 + 1) * t)]) } }
        let input: [String: Any] = ["tokens": rows(batch.tokens), "types": rows(batch.tokenTypes), "mask": rows(batch.attentionMask),
                                    "labels": rows(targets.map { $0 < 0 ? -100 : $0 })]
        let url = folder.appendingPathComponent("input-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try JSONDecoder().decode(Reference.self, from: Data(Python.run([Self.script, "mlm", folder.path, url.path]).utf8))
    }

    @Test("A tiny BertForMaskedLM equals transformers: loss, masked logits, every gradient; the export loads back with equal logits")
    func tinyMaskedLM() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("tiny-mlm")
        _ = try Python.run([Self.script, "make-mlm", folder.path])
        let model = try HFEncoderFolder.load(directory: folder)
        #expect(model.config.maskedLMHead)
        var batch = EncoderBatch(rows: [(ids: [2, 17, 5, 9, 31, 44, 3], typeIds: []), (ids: [2, 8, 12, 3], typeIds: [])], padId: 0)
        var rng = SeededGenerator(seed: 3)
        let (tokens, targets) = MaskedLMMasking.mask(batch, probability: 0.5, maskId: 1, vocabSize: 53, special: [0, 2, 3], generator: &rng)
        batch.tokens = tokens
        try #require(targets.contains { $0 >= 0 }, "something is masked")
        let r = try reference(folder, batch, targets: targets)
        let loss = model.maskedLMLoss(batch, targets: targets, forBackward: true)
        #expect(abs(Double(loss) - r.loss) <= 1e-5, "loss \(loss) vs \(r.loss)")
        let logits = model.maskedLMLogits()
        #expect(NumericChecks.mismatch(logits, r.logits, atol: 1e-4, rtol: 0, label: "logits") == nil)
        model.zeroGradients()
        model.maskedLMBackward(batch)
        let grads = model.gradientValues()
        for p in model.layout.parameters {
            let hfName = p.name.hasPrefix("cls.") ? p.name : "bert." + p.name
            let expected = try #require(r.grads[hfName], "transformers has no gradient for \(hfName)")
            let m = NumericChecks.mismatch(Array(grads[p.offset..<(p.offset + p.count)]), expected, atol: 1e-5, rtol: 1e-4, label: p.name)
            #expect(m == nil, "\(m ?? "")")
        }
        let exported = dir.appendingPathComponent("exported")
        try model.exportHF(to: exported)
        let again = try reference(exported, batch, targets: targets)
        #expect(NumericChecks.mismatch(logits, again.logits, atol: 1e-4, rtol: 0, label: "exported logits") == nil)
    }

    /// 20,000 maskable positions at p = 0.15: ≈ 15 % chosen; of those ≈ 80 % [MASK], 10 % random, 10 % kept;
    /// specials and padding never; the same seed gives the same masks.
    @Test("Masking chooses about 15% of real non-special positions, 80/10/10, from the seed")
    func maskingProportions() {
        let t = 200
        var rows: [(ids: [Int], typeIds: [Int])] = []
        for r in 0..<100 {
            var ids = [2]
            for i in 0..<(t - 2) { ids.append(5 + (i * 7 + r) % 40) }
            ids.append(3)
            rows.append((ids: ids, typeIds: []))
        }
        rows.append((ids: [2, 3], typeIds: []))
        let batch = EncoderBatch(rows: rows, padId: 0)
        var rng = SeededGenerator(seed: 11)
        let (tokens, targets) = MaskedLMMasking.mask(batch, probability: 0.15, maskId: 1, vocabSize: 60, special: [0, 2, 3], generator: &rng)
        let chosen = targets.indices.filter { targets[$0] >= 0 }
        let maskable = 100 * (t - 2)
        let share = Double(chosen.count) / Double(maskable)
        #expect(abs(share - 0.15) < 0.01, "chosen share \(share)")
        let masked = chosen.filter { tokens[$0] == 1 }.count, kept = chosen.filter { tokens[$0] == targets[$0] }.count
        #expect(abs(Double(masked) / Double(chosen.count) - 0.8) < 0.03)
        #expect(abs(Double(kept) / Double(chosen.count) - 0.1) < 0.03)
        #expect(chosen.allSatisfy { ![0, 2, 3].contains(Int(batch.tokens[$0])) }, "no special or padding position")
        var again = SeededGenerator(seed: 11)
        #expect(MaskedLMMasking.mask(batch, probability: 0.15, maskId: 1, vocabSize: 60, special: [0, 2, 3], generator: &again).targets == targets)
    }
}
