import Compute
import Foundation
import SafeTensors
import TestSupport
import Testing
import Tokenization
@testable import Modeling

/// LoRA on sequence classifiers (issue 17): PEFT's SEQ_CLS adapter files — the `…ForSequenceClassification`
/// module paths (BERT's encoder under `bert.`), the head saved in full — written and read back bit for bit,
/// the merge, PEFT's own `modules_to_save` spelling, and the errors for adapters that cannot classify.
@Suite(.serialized) struct SequenceClassifierLoRATests {
    static let texts: [[Int32]] = [[2, 7, 5, 9, 3], [2, 8, 3], [2, 11, 4, 6, 10, 3]]

    /// `base` with a 3-label head and LoRA (PEFT's default targets for its family, r 2) whose B factors and
    /// head are random, so both show in the logits.
    static func adapted(_ base: GPTModel) throws -> GPTModel {
        let m = try base.withClassificationHead(numLabels: 3, seed: 5)
        let config = try LoRAConfig(rank: 2, alpha: 3, targetModules: LoRAConfig.peftDefaultTargets(m.config)).classifier(model: m)
        let adapters = try LoRAAdapters(config: config, model: m, seed: 7)
        let noise = NumericChecks.randomValues(adapters.parameterCount, seed: 11, in: -0.5...0.5)
        adapters.withParameters { p in for i in p.indices { p[i] += Float(noise[i]) } }
        try m.attach(adapters)
        var rng = SeededGenerator(seed: 13)
        for p in m.layout.parameters where p.role == .head {
            try m.withParameter(named: p.name) { rng.fillNormal($0.baseAddress!, n: $0.count, std: 0.3) }
        }
        return m
    }

    static func decoder() throws -> GPTModel {
        var c = Fixtures.tiny
        c.initializerRange = 0.3
        return try GPTModel(config: c, seed: 3)
    }

    static func bert(in dir: URL) throws -> GPTModel {
        let folder = dir.appendingPathComponent("tiny-bert")
        _ = try Python.run([BertParityTests.script, "make", folder.path])
        return try HFEncoderFolder.load(directory: folder)
    }

    /// Writes `model`'s adapter to `dir` and loads it onto a fresh head over `base`: the loaded classifier.
    static func roundTrip(_ model: GPTModel, base: GPTModel, dir: URL) throws -> GPTModel {
        try PEFTAdapter.write(model, baseModel: "models/base", to: dir)
        let loaded = try base.withClassificationHead(numLabels: 3, seed: 99)
        try PEFTAdapter.load(directory: dir, into: loaded)
        return loaded
    }

    @Test("A decoder classifier's SEQ_CLS adapter is written with PEFT's names and loads back to the same logits bit for bit")
    func decoderRoundTrip() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try Self.decoder()
        let model = try Self.adapted(base)
        let loaded = try Self.roundTrip(model, base: base, dir: dir)
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        #expect(config["task_type"] as? String == "SEQ_CLS" && config["modules_to_save"] as? [String] == ["score"])
        #expect(config["target_modules"] as? [String] == ["c_attn"])
        let names = Set(try SafeTensorsFile.read(contentsOf: dir.appendingPathComponent(PEFTAdapter.weightsFile)).tensors.map(\.name))
        #expect(names == Set(["base_model.model.score.weight"]).union((0..<2).flatMap { l in ["A", "B"].map { "base_model.model.transformer.h.\(l).attn.c_attn.lora_\($0).weight" } }))
        #expect(try loaded.classLogits(Self.texts) == model.classLogits(Self.texts))
        #expect(loaded.trainable.enumerated().filter { $0.element }.map { loaded.layout.parameters[$0.offset].name } == ["score.weight"])
    }

    @Test("A BERT classifier's SEQ_CLS adapter keeps the encoder under bert., saves classifier weight and bias, and loads back bit for bit")
    func bertRoundTrip() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try Self.bert(in: dir)
        let model = try Self.adapted(base)
        let adapterDir = dir.appendingPathComponent("adapter")
        let loaded = try Self.roundTrip(model, base: base, dir: adapterDir)
        let names = Set(try SafeTensorsFile.read(contentsOf: adapterDir.appendingPathComponent(PEFTAdapter.weightsFile)).tensors.map(\.name))
        #expect(names.contains("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"))
        #expect(names.contains("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight"))
        #expect(names.contains("base_model.model.classifier.weight") && names.contains("base_model.model.classifier.bias"))
        #expect(names.count == 2 * 2 * 2 + 2, "\(names.sorted())")
        #expect(try loaded.classLogits(Self.texts) == model.classLogits(Self.texts))
        // merged: the adapters folded into the weights give the same logits within float rounding
        let merged = try model.merged()
        #expect(merged.adapters == nil)
        let worst = zip(try merged.classLogits(Self.texts), try model.classLogits(Self.texts)).flatMap { zip($0, $1).map { abs($0 - $1) } }.max()!
        #expect(worst <= 1e-5, "\(worst)")
    }

    @Test("PEFT's own SEQ_CLS modules_to_save [classifier, score] loads onto a model that has one of the two")
    func peftsModulesToSaveSpelling() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try Self.decoder()
        let model = try Self.adapted(base)
        try PEFTAdapter.write(model, baseModel: "b", to: dir)
        try Self.editConfig(dir) { $0["modules_to_save"] = ["classifier", "score"] }
        let loaded = try base.withClassificationHead(numLabels: 3, seed: 99)
        try PEFTAdapter.load(directory: dir, into: loaded)
        #expect(try loaded.classLogits(Self.texts) == model.classLogits(Self.texts))
    }

    @Test("A SEQ_CLS adapter refuses a model without a head, and an adapter without its head tensor, naming the file")
    func adaptersThatCannotClassifyAreRefused() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try Self.decoder()
        try PEFTAdapter.write(try Self.adapted(base), baseModel: "b", to: dir)
        do {
            try PEFTAdapter.load(directory: dir, into: try Self.decoder())
            Issue.record("a SEQ_CLS adapter loaded onto a language model")
        } catch {
            #expect("\(error)".contains("adapter_config.json") && "\(error)".contains("no classification head"), "\(error)")
        }
        // the same adapter without the head's tensor
        let file = dir.appendingPathComponent(PEFTAdapter.weightsFile)
        let tensors = try SafeTensorsFile.read(contentsOf: file)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for t in tensors.tensors where t.name != "base_model.model.score.weight" {
            try writer.addFloat32(t.name, shape: t.shape, values: try tensors.floats(t.name))
        }
        try writer.write(to: file)
        do {
            try PEFTAdapter.load(directory: dir, into: try base.withClassificationHead(numLabels: 3, seed: 1))
            Issue.record("a SEQ_CLS adapter without its head loaded")
        } catch {
            #expect("\(error)".contains("adapter_model.safetensors") && "\(error)".contains("missing tensor 'base_model.model.score.weight'"), "\(error)")
        }
    }

    @Test("LoRA on the real all-MiniLM-L6-v2 classifier loads in peft on AutoModelForSequenceClassification with Lathe's logits")
    func realMiniLMAdapterMatchesPEFT() throws {
        let folder = try ModelCache.folder(ModelCache.allMiniLM)
        let model = try Self.adapted(try HFEncoderFolder.load(directory: folder))
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try PEFTAdapter.write(model, baseModel: folder.path, to: dir)
        try HFClassifierFolder.writeAdapterLabels(["a", "b", "c"], config: model.config, to: dir)
        let tok = try WordPieceTokenizer.load(contentsOf: folder)
        let texts = ["The café's crème brûlée was wonderful!", "Terrible."].map { tok.encode($0).ids.map { Int32($0) } }
        let ours = try model.classLogits(texts)
        let rows = texts.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let script = HFTestSupport.testsDirectory.appendingPathComponent("ClassifierFixtures/peft_classifier_reference.py").path
        let json = try #require(JSONSerialization.jsonObject(with: Data(try HFTestSupport.runPython([script, "run", folder.path, dir.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "BertForSequenceClassification" && json["task_type"] as? String == "SEQ_CLS")
        let theirs = try #require(json["logits"] as? [[Double]])
        let worst = zip(ours, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
        #expect(worst <= 1e-4, "largest logit difference \(worst): Lathe \(ours), PEFT \(theirs)")
    }

    static func editConfig(_ dir: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = dir.appendingPathComponent(PEFTAdapter.configFile)
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }
}
