import Foundation
import TestSupport
import Testing
@testable import Modeling

/// The sequence-classification head (`score.weight` over the last token's final-norm state) on the one
/// decoder definition: its loss against a Float64 recomputation from the logits, every gradient against
/// finite differences, padding invariance, and the exported `…ForSequenceClassification` folder against
/// transformers on tiny random GPT-2, Llama and Qwen2 models and on the real SmolLM2.
@Suite(.serialized) struct ClassificationHeadTests {
    static let texts: [[Int32]] = [[1, 5, 7, 2], [3, 8, 11, 0, 6, 4], [9]]
    static let labels = [2, 0, 1]

    static var llama: GPTConfig {
        GPTConfig(family: .llama, modelType: "llama", vocabSize: 13, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 4, nKVHead: 2,
                  headDim: 4, intermediateSize: 12, layerNormEpsilon: 1e-5, tiedEmbeddings: true)
    }

    static func config(_ kind: String) -> GPTConfig {
        switch kind {
        case "gpt2": Fixtures.tiny
        case "qwen2": Fixtures.tinyLlama
        default: llama
        }
    }

    /// A classifier with large random weights (std 0.3) and non-trivial norm gains, so every gradient and
    /// logit is visible above Float32 noise.
    static func classifier(_ kind: String, labels: Int = 3) throws -> GPTModel {
        var c = config(kind)
        c.initializerRange = 0.3
        let lm = try GPTModel(config: c, seed: 3)
        lm.withParameters { p in for i in p.indices where p[i] == 0 || p[i] == 1 { p[i] += Float((i * 37) % 11) * 0.03 - 0.15 } }
        return try lm.withClassificationHead(numLabels: labels, seed: 5)
    }

    static func batch(_ data: TrainingData) -> TokenBatch {
        var b = TokenBatch(batchSize: data.rowCount, sequenceLength: data.sequenceLength)
        for r in 0..<data.rowCount { data.fill(&b, slot: r, row: r) }
        let n = Float(data.targetCount)
        b.weights = b.weights.map { $0 / n }
        return b
    }

    @Test("A classifier's loss is the mean cross-entropy of the labels at each text's last token",
          arguments: ["gpt2", "llama", "qwen2"])
    func lossIsCrossEntropyAtThePooledToken(kind: String) throws {
        let m = try Self.classifier(kind)
        let data = try TrainingData.classification(texts: Self.texts, labels: Self.labels, sequenceLength: 6, vocabSize: 13, numLabels: 3)
        #expect(data.targetCount == 3)
        let loss = Double(m.forward(Self.batch(data)))
        // the Float64 twin: log-softmax of each text's pooled logits, computed from the logits alone
        let logits = try m.classLogits(Self.texts)
        var expected = 0.0
        for (row, label) in zip(logits, Self.labels) {
            let z = row.map(Double.init), top = z.max()!
            expected -= z[label] - top - log(z.map { exp($0 - top) }.reduce(0, +))
        }
        expected /= 3
        #expect(abs(loss - expected) <= 1e-5, "\(kind): loss \(loss), Float64 twin \(expected)")
        #expect(logits.allSatisfy { $0.count == 3 })
    }

    @Test("Every gradient of a classifier, head and trunk through the pooled token, matches finite differences",
          arguments: ["gpt2", "llama", "qwen2"])
    func gradientsMatchFiniteDifferences(kind: String) throws {
        let m = try Self.classifier(kind)
        let data = try TrainingData.classification(texts: Self.texts, labels: Self.labels, sequenceLength: 6, vocabSize: 13, numLabels: 3)
        let batch = Self.batch(data)
        m.zeroGradients()
        m.forward(batch)
        m.backward(batch)
        let grads = m.gradientValues()
        #expect(m.layout.info("score.weight")?.shape == [3, m.config.nEmbd])
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
                #expect(abs(fd - g) <= 2e-4 + 2e-2 * abs(g), "\(kind) \(info.name)[\(k)]: backward \(g), finite difference \(fd)")
                checked += 1
            }
        }
        let head = try #require(m.layout.info("score.weight"))
        #expect(grads[head.offset..<(head.offset + head.count)].contains { abs($0) > 1e-3 })
        #expect(checked >= 4 * m.layout.parameters.count - 8)
    }

    @Test("Right padding never changes a text's logits (causal attention: the pooled token sees no pad)",
          arguments: ["gpt2", "llama"])
    func paddingDoesNotChangeLogits(kind: String) throws {
        let m = try Self.classifier(kind)
        let alone = try m.classLogits([Self.texts[2]])
        let padded = try m.classLogits(Self.texts, batchSize: 3)
        let difference = zip(alone[0], padded[2]).map { abs($0 - $1) }.max()!
        #expect(difference <= 1e-5, "\(kind): logits of [9] alone vs padded to 6 differ by \(difference)")
        #expect(try m.classLogits([Self.texts[0]])[0] != alone[0])
    }

    @Test("A classifier refuses to generate or score text, having no language-model head")
    func classifierHasNoLanguageModelHead() throws {
        let m = try Self.classifier("gpt2")
        #expect(throws: ModelingError.self) { try m.generate(prompt: [1, 2], options: GenerationOptions(maxNewTokens: 2)) }
        #expect(throws: ModelingError.self) { try m.logLikelihood(context: [1], continuation: [2]) }
        let lm = try GPTModel(config: Fixtures.tiny, seed: 1)
        #expect(throws: ModelingError.self) { try lm.classLogits([[1]]) }
        #expect(throws: ModelingError.self) { try lm.withClassificationHead(numLabels: 1, seed: 1) }
    }

    @Test("A new head copies the trunk bit for bit; keepHead keeps a classifier's head, else it is redrawn")
    func headReplacementKeepsTheTrunk() throws {
        let lm = try GPTModel(config: Self.llama, seed: 4)
        let c = try lm.withClassificationHead(numLabels: 2, seed: 9)
        #expect(c.layout.info("score.weight") != nil)
        for p in lm.layout.parameters {
            let a = try lm.withParameter(named: p.name) { Array($0) }, b = try c.withParameter(named: p.name) { Array($0) }
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(p.name)")
        }
        let head = try c.withParameter(named: "score.weight") { Array($0) }
        let kept = try c.withClassificationHead(numLabels: 2, seed: 1, keepHead: true)
        let redrawn = try c.withClassificationHead(numLabels: 2, seed: 1)
        #expect(try kept.withParameter(named: "score.weight") { Array($0) } == head)
        #expect(try redrawn.withParameter(named: "score.weight") { Array($0) } != head)
    }

    @Test("Exported classifiers load in AutoModelForSequenceClassification with Lathe's logits and labels",
          arguments: ["gpt2", "llama", "qwen2"])
    func exportMatchesTransformers(kind: String) throws {
        let m = try Self.classifier(kind)
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = ["negative", "neutral", "positive"]
        try HFClassifierFolder.export(m, labels: names, to: directory)
        // bit-exact round trip through Lathe's own reader, by both entry points
        let (loaded, labels) = try HFClassifierFolder.load(directory: directory)
        #expect(labels == names)
        #expect(loaded.config.numLabels == 3)
        #expect(loaded.parameterValues().map(\.bitPattern) == m.parameterValues().map(\.bitPattern))
        #expect(try GPTModel.loadHF(directory: directory).config.numLabels == 3)

        let ours = try m.classLogits(Self.texts)
        let rows = Self.texts.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let script = HFTestSupport.testsDirectory.appendingPathComponent("ClassifierFixtures/classifier_reference.py").path
        let out = try HFTestSupport.runPython([script, directory.path, rows])
        let json = try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let expectedClass = HFClassifierFolder.classNames[m.config.modelType]!
        #expect(json["class"] as? String == expectedClass)
        #expect(json["id2label"] as? [String: String] == ["0": "negative", "1": "neutral", "2": "positive"])
        for key in ["logits", "single"] {
            let theirs = try #require(json[key] as? [[Double]])
            let worst = zip(ours, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
            #expect(worst <= 1e-4, "\(kind) \(key): largest logit difference \(worst)")
            #expect(theirs.flatMap { $0 }.map(abs).max()! > 0.05)
        }
    }

    @Test("The real SmolLM2 as a classifier loads in transformers with Lathe's logits")
    func realSmolLM2ClassifierMatchesTransformers() throws {
        let folder = try ModelCache.folder(ModelCache.smolLM2)
        let m = try GPTModel.loadHF(directory: folder).withClassificationHead(numLabels: 2, seed: 7)
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try HFClassifierFolder.export(m, labels: ["0", "1"], to: directory)
        // "Gardeners prune the glass vines in early spring, before the first buds open." and its first half
        let text = LlamaParityTests.textIds
        let texts = [text, Array(text.prefix(7))]
        let ours = try m.classLogits(texts)
        let rows = texts.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let script = HFTestSupport.testsDirectory.appendingPathComponent("ClassifierFixtures/classifier_reference.py").path
        let json = try #require(JSONSerialization.jsonObject(with: Data(try HFTestSupport.runPython([script, directory.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "LlamaForSequenceClassification")
        let theirs = try #require(json["logits"] as? [[Double]])
        let worst = zip(ours, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
        print("SmolLM2 classifier logits: Lathe−transformers \(worst), logits \(ours)")
    }
}
