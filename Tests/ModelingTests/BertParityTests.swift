import Foundation
import TestSupport
import Testing
import Tokenization
@testable import Modeling

/// Lathe's BERT encoder against transformers' `BertModel` (`reference_bert.py`, eager attention, fp32):
/// hidden states, pooler output and parameter gradients on a tiny random BERT with padding in the batch,
/// the export loading back in transformers, and the real all-MiniLM-L6-v2 on WordPiece-tokenized text.
@Suite struct BertParityTests {
    static let script = HFTestSupport.testsDirectory.appendingPathComponent("reference_bert.py").path

    struct Reference: Decodable {
        var hidden: [Double]
        var pooled: [Double]
        var grads: [String: [Double]]?
    }

    func reference(_ folder: URL, _ batch: EncoderBatch, g: [Float]?) throws -> Reference {
        let t = batch.sequenceLength
        func rows(_ v: [Int32]) -> [[Int32]] { (0..<batch.batchSize).map { Array(v[($0 * t)..<(($0 + 1) * t)]) } }
        var input: [String: Any] = ["tokens": rows(batch.tokens), "types": rows(batch.tokenTypes), "mask": rows(batch.attentionMask)]
        if let g { input["g"] = g.map(Double.init) }
        let url = folder.appendingPathComponent("input-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let out = try Python.run([Self.script, "run", folder.path, url.path])
        return try JSONDecoder().decode(Reference.self, from: Data(out.utf8))
    }

    /// Hidden states at real (non-padding) positions, and every pooled value, within `atol`.
    func expectOutputs(_ model: GPTModel, _ batch: EncoderBatch, _ r: Reference, atol: Double, _ label: String) {
        let c = model.config.nEmbd, t = batch.sequenceLength
        let hidden = model.withHiddenStates { Array($0) }, pooled = model.withPooled { Array($0) }
        #expect(hidden.count == r.hidden.count && pooled.count == r.pooled.count)
        var worst = 0.0
        for bi in 0..<batch.batchSize {
            for i in 0..<Int(batch.lengths[bi]) {
                for j in 0..<c { worst = max(worst, abs(Double(hidden[(bi * t + i) * c + j]) - r.hidden[(bi * t + i) * c + j])) }
            }
        }
        #expect(worst <= atol, "\(label): hidden states differ by \(worst)")
        let pooledWorst = zip(pooled, r.pooled).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(pooledWorst <= atol, "\(label): pooler output differs by \(pooledWorst)")
    }

    @Test("A tiny random BERT with padding equals transformers: hidden states, pooler output and every gradient; its export loads back equal")
    func tinyRandomBert() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("tiny-bert")
        _ = try Python.run([Self.script, "make", folder.path])
        let model = try HFEncoderFolder.load(directory: folder)
        #expect(model.config.family == .bert && model.config.typeVocabSize == 2 && model.config.nLayer == 2)
        // three rows: full, padded, a pair with token types 1; padding id 0
        let batch = EncoderBatch(rows: [
            (ids: [2, 17, 5, 9, 31, 44, 3], typeIds: []),
            (ids: [2, 8, 3], typeIds: []),
            (ids: [2, 50, 11, 3, 7, 3], typeIds: [0, 0, 0, 0, 1, 1]),
        ], padId: 0)
        let g = NumericChecks.randomValues(3 * 16, seed: 5).map(Float.init)
        let r = try reference(folder, batch, g: g)
        model.encode(batch, forBackward: true)
        expectOutputs(model, batch, r, atol: 1e-5, "tiny")
        model.zeroGradients()
        model.encoderBackward(batch, dPooled: g)
        let grads = model.gradientValues()
        let torchGrads = try #require(r.grads)
        for p in model.layout.parameters {
            let expected = try #require(torchGrads[p.name], "transformers has no gradient for \(p.name)")
            let mine = Array(grads[p.offset..<(p.offset + p.count)])
            let m = NumericChecks.mismatch(mine, expected, atol: 1e-5, rtol: 1e-4, label: p.name)
            #expect(m == nil, "\(m ?? "")")
        }
        // inference (no saved probabilities) gives the same bits as the training pass
        let pooledTraining = model.withPooled { Array($0) }
        model.encode(batch)
        #expect(model.withPooled { Array($0) } == pooledTraining)
        // export → transformers loads it and computes the same outputs
        let exported = dir.appendingPathComponent("exported")
        try model.exportHF(to: exported)
        expectOutputs(model, batch, try reference(exported, batch, g: nil), atol: 1e-5, "exported")
    }

    @Test("all-MiniLM-L6-v2 on WordPiece-tokenized text with padding equals transformers within 1e-4")
    func miniLM() throws {
        let folder = try ModelCache.folder(ModelCache.allMiniLM)
        let model = try HFEncoderFolder.load(directory: folder)
        let tok = try WordPieceTokenizer.load(contentsOf: folder)
        let encodings = [
            tok.encode("The café's crème brûlée was wonderful, and the service was quick!"),
            tok.encode("Terrible."),
            tok.encode("Is this review positive?", pair: "I bought it twice and would buy it again."),
        ]
        let batch = EncoderBatch(rows: encodings.map { ($0.ids, $0.typeIds) }, padId: tok.padId)
        #expect(batch.lengths.contains { Int($0) < batch.sequenceLength }, "the batch has padding")
        let r = try reference(folder, batch, g: nil)
        model.encode(batch)
        expectOutputs(model, batch, r, atol: 1e-4, "MiniLM")
    }

    @Test("BERT config.json errors name the file, the field and the fix")
    func configErrors() throws {
        func message(_ json: String) -> String {
            do {
                _ = try HFBertConfig.parse(Data(json.utf8), source: "m/config.json")
                return "no error"
            } catch { return error.description }
        }
        #expect(message(#"{"model_type": "bert", "hidden_act": "relu"}"#).contains("hidden_act"))
        #expect(message(#"{"model_type": "bert", "position_embedding_type": "relative_key"}"#).contains("position_embedding_type"))
        #expect(message(#"{"model_type": "bert", "hidden_size": 10, "num_attention_heads": 3}"#).contains("not a multiple"))
        #expect(message(#"{"model_type": "roberta"}"#).contains("model_type"))
        #expect(message(#"{"model_type": "bert"}"#) == "no error")
    }
}
