import Compute
import Foundation
import TestSupport
import Testing
import Tokenization
@testable import Modeling

/// BERT as a sequence classifier on the shared block loop (`runTrunk` / `backward`): pooled [CLS] →
/// pooler (dense + tanh) → `classifier` with bias. Its loss against a Float64 recomputation from the
/// logits, every gradient (token types and padding included) against finite differences, padding
/// invariance, and the exported `BertForSequenceClassification` folder against transformers.
@Suite(.serialized) struct BertClassifierTests {
    /// [CLS] … [SEP] rows (2 = [CLS], 3 = [SEP] in the tiny vocabulary), one a pair with token types 1.
    static let texts: [[Int32]] = [[2, 17, 5, 9, 31, 3], [2, 8, 3], [2, 50, 11, 3, 7, 3]]
    static let types: [[Int32]] = [[0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0, 0, 1, 1]]
    static let labels = [2, 0, 1]

    /// The tiny random BertModel of `reference_bert.py` with a 3-label head whose weights and bias are
    /// large enough (std 0.3) for every gradient to show above Float32 noise.
    static func classifier(in dir: URL) throws -> GPTModel {
        let folder = dir.appendingPathComponent("tiny-bert")
        _ = try Python.run([BertParityTests.script, "make", folder.path])
        let m = try HFEncoderFolder.load(directory: folder).withClassificationHead(numLabels: 3, seed: 5)
        var rng = SeededGenerator(seed: 11)
        for name in ["classifier.weight", "classifier.bias"] {
            try m.withParameter(named: name) { p in rng.fillNormal(p.baseAddress!, n: p.count, std: 0.3) }
        }
        return m
    }

    static func data() throws -> TrainingData {
        try TrainingData.classification(texts: texts, labels: labels, sequenceLength: 6, vocabSize: 53, numLabels: 3,
                                        pooling: .firstToken, tokenTypes: types)
    }

    static func batch(_ data: TrainingData) -> TokenBatch {
        var b = TokenBatch(batchSize: data.rowCount, sequenceLength: data.sequenceLength)
        for r in 0..<data.rowCount { data.fill(&b, slot: r, row: r) }
        let n = Float(data.targetCount)
        b.weights = b.weights.map { $0 / n }
        return b
    }

    @Test("A BERT classifier's loss is the mean cross-entropy of the labels at [CLS], its head the pooler and a biased classifier")
    func lossIsCrossEntropyAtCLS() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try Self.classifier(in: dir)
        #expect(m.config.pooling == .firstToken)
        #expect(m.layout.info("classifier.bias")?.shape == [3] && m.layout.info("pooler.dense.weight") != nil)
        let data = try Self.data()
        #expect(data.targetCount == 3)
        let loss = Double(m.forward(Self.batch(data)))
        let logits = try m.classLogits(Self.texts, tokenTypes: Self.types)
        // Float64 twin of the head from the encoder's pooled vectors: logits = pooled·Wᵀ + b
        m.encode(EncoderBatch(rows: zip(Self.texts, Self.types).map { (ids: $0.map(Int.init), typeIds: $1.map(Int.init)) }, padId: 0))
        let pooled: [Double] = m.withPooled { p in p.map { Double($0) } }
        let w: [Double] = try m.withParameter(named: "classifier.weight") { p in p.map { Double($0) } }
        let bias: [Double] = try m.withParameter(named: "classifier.bias") { p in p.map { Double($0) } }
        let c = m.config.nEmbd
        var expected = 0.0
        for (r, label) in Self.labels.enumerated() {
            var z = [Double](repeating: 0, count: 3)
            for k in 0..<3 {
                var sum = bias[k]
                for j in 0..<c { sum += pooled[r * c + j] * w[k * c + j] }
                z[k] = sum
                let mine = Double(logits[r][k])
                #expect(abs(sum - mine) <= 1e-5, "row \(r) class \(k): \(mine) vs \(sum)")
            }
            let top = z.max()!
            var total = 0.0
            for v in z { total += exp(v - top) }
            expected -= z[label] - top - log(total)
        }
        expected /= 3
        #expect(abs(loss - expected) <= 1e-5, "loss \(loss), Float64 twin \(expected)")
    }

    @Test("Every gradient of a BERT classifier (head, pooler, blocks, token types) matches finite differences")
    func gradientsMatchFiniteDifferences() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try Self.classifier(in: dir)
        let batch = Self.batch(try Self.data())
        m.zeroGradients()
        m.forward(batch)
        m.backward(batch)
        let grads = m.gradientValues()
        let h: Float = 1e-2
        var checked = 0
        for info in m.layout.parameters {
            for k in Set([0, info.count / 3, info.count / 2, info.count - 1]) {
                let i = info.offset + k
                let saved = m.withParameters { $0[i] }
                m.withParameters { $0[i] = saved + h }
                let lp = Double(m.forward(batch))
                m.withParameters { $0[i] = saved - h }
                let lm = Double(m.forward(batch))
                m.withParameters { $0[i] = saved }
                let fd = (lp - lm) / Double(2 * h)
                let g = Double(grads[i])
                #expect(abs(fd - g) <= 3e-4 + 3e-2 * abs(g), "\(info.name)[\(k)]: backward \(g), finite difference \(fd)")
                checked += 1
            }
        }
        let types = try #require(m.layout.info("embeddings.token_type_embeddings.weight"))
        // type 1 appears only in the pair: its row has a gradient
        #expect(grads[(types.offset + m.config.nEmbd)..<(types.offset + 2 * m.config.nEmbd)].contains { abs($0) > 1e-5 })
        #expect(checked >= 4 * m.layout.parameters.count - 40)
    }

    @Test("Right padding never changes a BERT text's logits (the padding is masked)")
    func paddingDoesNotChangeLogits() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try Self.classifier(in: dir)
        let alone = try m.classLogits([Self.texts[1]])
        let padded = try m.classLogits(Self.texts, tokenTypes: Self.types, batchSize: 3)
        let difference = zip(alone[0], padded[1]).map { abs($0 - $1) }.max()!
        #expect(difference <= 1e-5, "logits of a 3-token text alone vs padded to 6 differ by \(difference)")
        #expect(padded[0] != padded[1])
    }

    @Test("An exported BERT classifier loads in AutoModelForSequenceClassification with Lathe's logits and labels, and back bit for bit")
    func exportMatchesTransformers() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try Self.classifier(in: dir)
        let out = dir.appendingPathComponent("exported")
        let names = ["negative", "neutral", "positive"]
        try HFClassifierFolder.export(m, labels: names, to: out)
        let (loaded, labels) = try HFClassifierFolder.load(directory: out)
        #expect(labels == names)
        #expect(loaded.parameterValues().map(\.bitPattern) == m.parameterValues().map(\.bitPattern))
        #expect(try GPTModel.loadHF(directory: out).config.numLabels == 3)
        // single texts (no pair) so transformers' default token types 0 apply
        let texts = [Self.texts[0], Self.texts[1]]
        let ours = try m.classLogits(texts)
        let rows = texts.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let script = HFTestSupport.testsDirectory.appendingPathComponent("ClassifierFixtures/classifier_reference.py").path
        let json = try #require(JSONSerialization.jsonObject(with: Data(try HFTestSupport.runPython([script, out.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "BertForSequenceClassification")
        #expect(json["id2label"] as? [String: String] == ["0": "negative", "1": "neutral", "2": "positive"])
        for key in ["logits", "single"] {
            let theirs = try #require(json[key] as? [[Double]])
            let worst = zip(ours, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
            #expect(worst <= 1e-4, "\(key): largest logit difference \(worst)")
            #expect(theirs.flatMap { $0 }.map(abs).max()! > 0.05)
        }
    }

    @Test("The real all-MiniLM-L6-v2 as a classifier loads in transformers with Lathe's logits")
    func realMiniLMClassifierMatchesTransformers() throws {
        let folder = try ModelCache.folder(ModelCache.allMiniLM)
        let m = try HFEncoderFolder.load(directory: folder).withClassificationHead(numLabels: 2, seed: 7)
        let tok = try WordPieceTokenizer.load(contentsOf: folder)
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try HFClassifierFolder.export(m, labels: ["neg", "pos"], to: dir)
        let texts = ["The café's crème brûlée was wonderful!", "Terrible."].map { tok.encode($0).ids.map { Int32($0) } }
        let ours = try m.classLogits(texts)
        let rows = texts.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let script = HFTestSupport.testsDirectory.appendingPathComponent("ClassifierFixtures/classifier_reference.py").path
        let json = try #require(JSONSerialization.jsonObject(with: Data(try HFTestSupport.runPython([script, dir.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "BertForSequenceClassification")
        let theirs = try #require(json["logits"] as? [[Double]])
        let worst = zip(ours, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
    }
}
