import Compute

/// The LoRA adapters of one model: an A (r, in) and B (out, r) pair per adapted linear layer, with their
/// parameters and gradients in one arena of their own (parameters [0, P), gradients [P, 2P)), so the base
/// model stays untouched and only these P floats (plus any `modulesToSave`) reach the optimizer.
///
/// Order: targets in layout order, A before B — the order of `parameterNames`, checkpoints and AdamW.
/// Not thread-safe, like the model that owns it.
public final class LoRAAdapters: @unchecked Sendable {
    public let config: LoRAConfig
    public let targets: [LoRATarget]
    /// scale = alpha / r (or alpha / √r with rsLoRA).
    public let scale: Float
    /// Adapter parameter count P.
    public let parameterCount: Int
    let storage: Arena
    /// Offsets of A and B of each target inside the parameter half.
    let aOffsets: [Int], bOffsets: [Int]
    /// Target index per (layer, module slot), module slots in the layout's `linearModules` order.
    let slotIndex: [[Int?]]
    /// The model's linear modules (where each slot's output lands) and each product's output width.
    let modules: [LinearModule]
    let productWidths: [Int]
    /// Set by the trainer around a training forward: draws the dropout masks. nil = inference (no dropout).
    var dropoutGenerator: SeededGenerator?
    /// Saved per-target activations for the current (B, T).
    var activations: LoRAActivations?
    /// r floats for single-token decoding (the KV-cache path).
    let decodeHidden: Arena

    /// Fresh adapters for `layout`: A ~ U(−1/√in, 1/√in) (PEFT's kaiming_uniform(a=√5)) drawn from
    /// a generator seeded with `seed`, in target order; B = 0, so an untrained adapter changes nothing.
    /// - Throws: `.invalidHyperparameters` when `config` does not fit the model (see `LoRAConfig.targets`).
    public convenience init(config: LoRAConfig, model: GPTModel, seed: UInt64) throws(ModelingError) {
        try self.init(config: config, model: model)
        var generator = SeededGenerator(seed: seed)
        for (i, t) in targets.enumerated() {
            let bound = 1 / Float(t.inFeatures).squareRoot()
            let a = storage.base + aOffsets[i]
            for j in 0..<(config.rank * t.inFeatures) { a[j] = (2 * generator.nextFloat() - 1) * bound }
        }
    }

    /// Zero adapters (for loading weights into).
    public init(config: LoRAConfig, model: GPTModel) throws(ModelingError) {
        self.config = config
        targets = try config.targets(layout: model.layout, nLayer: model.config.nLayer)
        scale = config.scale
        var a: [Int] = [], b: [Int] = []
        var offset = 0
        let modules = model.layout.linearModules
        var slots = [[Int?]](repeating: [Int?](repeating: nil, count: modules.count), count: model.config.nLayer)
        for (i, t) in targets.enumerated() {
            a.append(offset); offset += config.rank * t.inFeatures
            b.append(offset); offset += t.outFeatures * config.rank
            slots[t.layer][modules.firstIndex { $0.blockModule == t.module }!] = i  // safe: targets() only yields these modules
        }
        aOffsets = a; bOffsets = b; slotIndex = slots
        self.modules = modules
        productWidths = (0..<4).map { p in modules.filter { $0.product == p }.reduce(0) { $0 + $1.outFeatures } }
        parameterCount = offset
        storage = Arena(count: 2 * offset)
        decodeHidden = Arena(count: config.rank)
    }

    /// PEFT-style names (without the `base_model.model.` prefix) and shapes, in parameter order:
    /// `transformer.h.0.attn.c_attn.lora_A.weight` [r, in], `….lora_B.weight` [out, r]
    /// (`model.layers.0.self_attn.q_proj.lora_A.weight` on Llama-family models).
    public var parameterShapes: [(name: String, shape: [Int], offset: Int)] {
        targets.enumerated().flatMap { i, t in [
            (t.modulePath + ".lora_A.weight", [config.rank, t.inFeatures], aOffsets[i]),
            (t.modulePath + ".lora_B.weight", [t.outFeatures, config.rank], bOffsets[i]),
        ] }
    }

    /// Lends the flat adapter parameters (P floats, parameter order) to `body`.
    public func withParameters<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: parameterCount))
    }

    /// Lends the flat adapter gradients (valid after `GPTModel.backward`).
    public func withGradients<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base + parameterCount, count: parameterCount))
    }

    /// A copy of the adapter parameters.
    public func parameterValues() -> [Float] { withParameters { Array($0) } }

    /// A copy of the adapter gradients.
    public func gradientValues() -> [Float] { withGradients { Array($0) } }

    func zeroGradients() { (storage.base + parameterCount).update(repeating: 0, count: parameterCount) }

    /// Activations for n = B·T rows, reallocated only when n changes.
    func activations(n: Int) -> LoRAActivations {
        if let a = activations, a.n == n { return a }
        let a = LoRAActivations(adapters: self, n: n)
        activations = a
        return a
    }
}
