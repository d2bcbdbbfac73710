import Compute
import Foundation
import TestSupport
import Testing
@testable import Modeling

/// LoRA in the engine: gradients, the no-op init, merge, the KV-cache path, dropout, and training.
@Suite struct LoRATests {
    /// A tiny model with visible weights and adapters on every linear layer with non-zero B (a fresh B is
    /// zero, which would hide half the math).
    static func adapted(_ lora: LoRAConfig = LoRAConfig(rank: 2, alpha: 3, targetModules: LoRAConfig.allLinear),
                        randomB: Bool = true, config: GPTConfig = Fixtures.tiny) throws -> GPTModel {
        var c = config
        c.initializerRange = 0.3
        let m = try GPTModel(config: c, seed: 3)
        m.withParameters { p in for i in p.indices where p[i] == 0 || p[i] == 1 { p[i] += Float((i * 37) % 11) * 0.03 - 0.15 } }
        let adapters = try LoRAAdapters(config: lora, model: m, seed: 7)
        if randomB {
            let noise = NumericChecks.randomValues(adapters.parameterCount, seed: 11, in: -0.5...0.5)
            adapters.withParameters { p in for (name, shape, offset) in adapters.parameterShapes where name.contains("lora_B") {
                for i in 0..<shape.reduce(1, *) { p[offset + i] = Float(noise[offset + i]) }
            } }
        }
        try m.attach(adapters)
        return m
    }

    @Test func adapterAndSavedModuleGradientsMatchFiniteDifferences() throws {
        // ln_1 of block 0 and wte train too: their gradients only come out right if d-input flows
        // correctly back through every adapter path above them.
        let m = try Self.adapted(LoRAConfig(rank: 2, alpha: 3, targetModules: LoRAConfig.allLinear, modulesToSave: ["h.0.ln_1", "wte"]))
        try Self.expectGradientsMatchFiniteDifferences(m, savedTensors: ["transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
                                                                         "transformer.wte.weight"])
    }

    /// Checks dA and dB of every adapter and the gradients of `savedTensors` (the trained base tensors)
    /// against central differences of the loss on `Fixtures.packedBatch()`, at a tensor's first, middle
    /// and last element, and that every other base tensor got no gradient at all.
    static func expectGradientsMatchFiniteDifferences(_ m: GPTModel, savedTensors: Set<String>) throws {
        let batch = Fixtures.packedBatch()
        m.zeroGradients()
        m.forward(batch)
        m.backward(batch)
        let adapters = try #require(m.adapters)
        let grads = adapters.gradientValues(), baseGrads = m.gradientValues()
        let h: Float = 1e-2
        func fd(_ set: (Float) -> Void, _ saved: Float) -> Double {
            set(saved + h); let lp = Double(m.forward(batch))
            set(saved - h); let lm = Double(m.forward(batch))
            set(saved)
            return (lp - lm) / Double(2 * h)
        }
        for (name, shape, offset) in adapters.parameterShapes {
            for k in [0, shape.reduce(1, *) / 2, shape.reduce(1, *) - 1] {
                let i = offset + k
                let saved = adapters.withParameters { $0[i] }
                let numeric = fd({ v in adapters.withParameters { $0[i] = v } }, saved)
                let g = Double(grads[i])
                // Float32 loss rounding (~1e-6) / 2h plus O(h²) truncation, as ModelGradientTests.
                #expect(abs(numeric - g) <= 2e-4 + 2e-2 * abs(g), "\(name)[\(k)]: backward \(g), finite difference \(numeric)")
            }
        }
        for name in savedTensors.sorted() where name.hasSuffix(".weight") {
            let info = try #require(m.layout.info(name))
            for k in [0, info.count / 2, info.count - 1] {
                let i = info.offset + k
                let saved = m.withParameters { $0[i] }
                let numeric = fd({ v in m.withParameters { $0[i] = v } }, saved)
                let g = Double(baseGrads[i])
                #expect(abs(numeric - g) <= 2e-4 + 2e-2 * abs(g), "\(name)[\(k)]: backward \(g), finite difference \(numeric)")
            }
        }
        // every other base tensor is frozen: no gradient computed at all
        let frozen = m.layout.parameters.filter { !savedTensors.contains($0.name) }
        #expect(frozen.allSatisfy { p in baseGrads[p.offset..<(p.offset + p.count)].allSatisfy { $0 == 0 } })
    }

    @Test func aFreshAdapterChangesNoLogitBit() throws {
        let m = try Self.adapted(randomB: false)
        let plain = try GPTModel(config: m.config)
        try plain.setParameterValues(m.parameterValues())
        let batch = Fixtures.packedBatch()
        // the plain model's one-model path (its `logits` may split rows across threads, which rounds differently)
        let trunk = plain.runTrunk(batch, forBackward: false)
        let plainLogits = Array(UnsafeBufferPointer(start: trunk.ptr(trunk.logits), count: trunk.logits.count))
        #expect(m.logits(batch) { Array($0) } == plainLogits)
        // A is drawn from U(−1/√in, 1/√in): bounded and not all zero
        let a = try #require(m.adapters).parameterValues()
        #expect(a.contains { $0 != 0 } && a.allSatisfy { abs($0) <= 1 / Float(8).squareRoot() })
    }

    @Test func mergedLogitsEqualBasePlusAdapter() throws {
        let m = try Self.adapted(LoRAConfig(rank: 2, alpha: 3, targetModules: LoRAConfig.allLinear, useRSLoRA: true))
        let merged = try m.merged()
        #expect(merged.adapters == nil)
        let batch = Fixtures.packedBatch()
        let withAdapter = m.logits(batch) { Array($0) }, folded = merged.logits(batch) { Array($0) }
        let worst = zip(withAdapter, folded).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "largest logit difference \(worst)")
        // and the adapter is not a no-op, so the check has teeth
        let plain = try GPTModel(config: m.config)
        try plain.setParameterValues(m.parameterValues())
        let base = plain.logits(batch) { Array($0) }
        #expect(zip(base, withAdapter).map { abs($0 - $1) }.max()! > 1e-2)
    }

    @Test func cachedDecodingIncludesTheAdapter() throws {
        let m = try Self.adapted()
        let tokens: [Int32] = [1, 5, 7, 2, 9, 4]
        let full = m.logits(TokenBatch(tokens: tokens, batchSize: 1, sequenceLength: tokens.count)) { Array($0) }
        let cache = KVCache(config: m.config, capacity: m.config.nPositions)
        let v = m.config.vocabSize
        var worst: Float = 0
        for (t, token) in tokens.enumerated() {
            let row = m.decodeStep(cache, token: token)
            for j in 0..<v { worst = max(worst, abs(row[j] - full[t * v + j])) }
        }
        // One position at a time vs the batched path: different summation order only.
        #expect(worst <= 1e-5, "largest difference \(worst)")
        let merged = try m.merged()
        let options = GenerationOptions(maxNewTokens: 6)
        #expect(try m.generate(prompt: [1, 5], options: options) == merged.generate(prompt: [1, 5], options: options))
    }

    @Test func targetsFollowPEFTSuffixSemanticsAndLayerFilters() throws {
        let m = try GPTModel(config: Fixtures.tiny, seed: 1)
        func modules(_ c: LoRAConfig) throws -> [String] { try c.targets(layout: m.layout, nLayer: 2).map { "\($0.layer).\($0.module)" } }
        #expect(try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["c_proj"])) == ["0.attn.c_proj", "0.mlp.c_proj", "1.attn.c_proj", "1.mlp.c_proj"])
        #expect(try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["mlp.c_proj"], layersToTransform: [1])) == ["1.mlp.c_proj"])
        #expect(try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["c_attn"])) == ["0.attn.c_attn", "1.attn.c_attn"])
        #expect(throws: ModelingError.self) { try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["lm_head"])) }
        #expect(throws: ModelingError.self) { try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["wte"])) }
        #expect(throws: ModelingError.self) { try modules(LoRAConfig(rank: 8, alpha: 16, targetModules: ["c_attn"], layersToTransform: [2])) }
        #expect(throws: ModelingError.self) { try modules(LoRAConfig(rank: 0, alpha: 16, targetModules: ["c_attn"])) }
    }
}

/// Training with adapters: only they change, fewer parameters carry optimizer state, resume is exact.
@Suite struct LoRATrainingTests {
    static let config = GPTConfig(vocabSize: 16, nPositions: 8, nEmbd: 16, nLayer: 2, nHead: 2)

    func trainer(steps: Int, lora: LoRAConfig? = LoRAConfig(rank: 2, alpha: 4, dropout: 0.2, targetModules: ["c_attn", "mlp.c_fc"])) throws -> GPTTrainer {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 120, vocab: 16), sequenceLength: 8, vocabSize: 16)
        var hp = TrainingHyperparameters.fixture()
        hp.learningRate = 1e-2; hp.maxSteps = steps; hp.microBatchSize = 2; hp.gradientAccumulationSteps = 2
        hp.warmupSteps = 1; hp.weightDecay = 0.01; hp.seed = 4
        let model = try GPTModel(config: Self.config, seed: 4)
        if let lora { try model.attach(LoRAAdapters(config: lora, model: model, seed: 5)) }
        return try GPTTrainer(model: model, data: data, hyperparameters: hp)
    }

    @Test func onlyAdapterParametersChangeAndFewerCarryOptimizerState() throws {
        let t = try trainer(steps: 4)
        let base = t.model.parameterValues(), adapters = try #require(t.model.adapters).parameterValues()
        t.train()
        #expect(t.model.parameterValues() == base)  // base bits identical
        #expect(try #require(t.model.adapters).parameterValues() != adapters)
        let adapterCount = try #require(t.model.adapters).parameterCount
        #expect(t.trainableParameterCount == adapterCount)
        #expect(t.moments.count == 2 * adapterCount)
        let full = try trainer(steps: 1, lora: nil)
        #expect(full.trainableParameterCount == full.model.parameterCount)
        #expect(adapterCount * 5 < full.trainableParameterCount)
    }

    @Test func loraResumeEqualsAnUninterruptedRunBitwise() throws {
        let full = try trainer(steps: 6)
        full.train()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-lora-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try trainer(steps: 6)
        first.train { r in r.step == 3 ? .stop : .proceed }
        try first.saveCheckpoint(to: dir)
        let resumed = try trainer(steps: 6)
        try resumed.loadCheckpoint(from: dir)
        resumed.train()
        #expect(try #require(resumed.model.adapters).parameterValues() == full.model.adapters!.parameterValues())
        #expect(resumed.rng == full.rng)  // dropout masks drew from the checkpointed generator
        // a checkpoint without adapters does not load into a LoRA trainer
        let plain = try trainer(steps: 6, lora: nil)
        let plainDir = dir.appendingPathExtension("plain")
        defer { try? FileManager.default.removeItem(at: plainDir) }
        try plain.saveCheckpoint(to: plainDir)
        #expect(throws: ModelingError.self) { try resumed.loadCheckpoint(from: plainDir) }
    }

    @Test func dropoutIsSeededAndOnlyActiveWhileTraining() throws {
        let a = try trainer(steps: 3), b = try trainer(steps: 3)
        a.train(); b.train()
        #expect(a.model.adapters!.parameterValues() == b.model.adapters!.parameterValues())
        let noDropout = try trainer(steps: 3, lora: LoRAConfig(rank: 2, alpha: 4, dropout: 0, targetModules: ["c_attn", "mlp.c_fc"]))
        noDropout.train()
        #expect(noDropout.model.adapters!.parameterValues() != a.model.adapters!.parameterValues())
        // evaluation (no generator set) is deterministic: two forwards give the same bits
        let batch = TokenBatch(tokens: [1, 2, 3, 4], batchSize: 1, sequenceLength: 4)
        #expect(a.model.logits(batch) { Array($0) } == a.model.logits(batch) { Array($0) })
    }

    @Test func freezingOptionsCannotCombineWithAdapters() throws {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 40, vocab: 16), sequenceLength: 8, vocabSize: 16)
        let model = try GPTModel(config: Self.config, seed: 4)
        try model.attach(LoRAAdapters(config: LoRAConfig(rank: 2, alpha: 4, targetModules: ["c_attn"]), model: model, seed: 5))
        #expect(throws: ModelingError.self) {
            try GPTTrainer(model: model, data: data, hyperparameters: TrainingHyperparameters.fixture(), freezing: Freezing(trainableLayers: 1))
        }
    }
}
