import Compute

/// A decoder-only transformer: token embedding (+ learned positions for GPT-2), pre-norm blocks (causal
/// self-attention with NH query and NKV key/value heads, an MLP), a final norm and an LM head (tied to the
/// token embedding or its own). `config.block` picks, per family, LayerNorm or RMSNorm, learned or rotary
/// positions, a GELU or SwiGLU MLP and the weight orientation; nothing else branches on the family.
///
/// Parameters and their gradients live in one arena laid out by `layout` (parameters first, then
/// gradients at the same offsets + `layout.totalCount`). Forward and backward are explicit, llm.c style.
/// Not thread-safe: one model serves one caller at a time.
public final class GPTModel: @unchecked Sendable {
    public let config: GPTConfig
    public let layout: ParameterLayout
    /// Parameters [0, N) and gradients [N, 2N) (a replica shares the parameters and uses only [0, N)).
    let storage: Arena
    /// Where this model's gradients live: `storage.base + N`, or a replica's own arena.
    let gradientBase: UnsafeMutablePointer<Float>
    /// A replica's gradient arena (kept alive here); nil for a model that owns its parameters.
    private let replicaGradients: Arena?
    /// Which layout entries receive gradients (same order as `layout.parameters`). Frozen entries get no
    /// gradient computed and no optimizer state.
    public internal(set) var trainable: [Bool]
    var activations: GPTActivations?
    /// The masked-LM head's saved tensors of the last `maskedLMLoss`.
    var maskedLMState: MaskedLMHeadState?
    /// LoRA adapters applied on top of the (then frozen) base weights; see `attach(_:)`.
    public internal(set) var adapters: LoRAAdapters?
    /// Offsets of the named tensors, resolved once.
    let offsets: ModelOffsets
    /// The family's block choices (norm, positions, MLP, weight orientation).
    let spec: BlockSpec
    /// Rotary θ_i (hd/2 values; empty for learned positions).
    let ropeFrequencies: [Float]

    /// A model with HF's initialisation from `seed` (`_init_weights`): weights N(0, initializer_range²),
    /// biases 0, norm gains 1; GPT-2's residual projections (`c_proj`) scaled by 1/√(2·n_layer).
    public convenience init(config: GPTConfig, seed: UInt64) throws(ModelingError) {
        try self.init(config: config)
        var rng = SeededGenerator(seed: seed)
        let std = config.initializerRange
        for p in layout.parameters {
            let dst = storage.base + p.offset
            switch p.role {
            case .bias: continue
            case .head where p.shape.count == 1: continue  // a classifier's bias
            case .norm: dst.update(repeating: 1, count: p.count)
            case .embedding, .positions, .linear, .head:
                let scaled = config.family == .gpt2 && p.moduleName == "c_proj"
                rng.fillNormal(dst, n: p.count, std: std * (scaled ? 1 / Float(2 * config.nLayer).squareRoot() : 1))
            }
        }
    }

    /// A model with every parameter zero (for loading weights into).
    public init(config: GPTConfig) throws(ModelingError) {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        storage = Arena(count: 2 * layout.totalCount)
        gradientBase = storage.base + layout.totalCount
        replicaGradients = nil
        trainable = [Bool](repeating: true, count: layout.parameters.count)
        offsets = ModelOffsets(layout: layout, config: config)
        spec = config.block
        ropeFrequencies = spec.rotary
            ? Rotary.inverseFrequencies(headDim: config.headDim, theta: config.ropeTheta, scaling: config.ropeScaling) : []
    }

    /// A replica for data-parallel work: it reads `model`'s parameters (shared, not copied) and has its
    /// own activations (and gradients, when asked), so it can run forward and backward on other rows at
    /// the same time. Adapters are not shared; `trainable` is copied (keep it in step with `model`).
    /// - Complexity: allocates N floats of gradients when `gradients` is true.
    init(replicaOf model: GPTModel, gradients: Bool = true) {
        precondition(model.adapters == nil, "replicas of a model with adapters are not supported")
        config = model.config
        layout = model.layout
        storage = model.storage
        let arena = Arena(count: gradients ? model.layout.totalCount : 0)
        replicaGradients = arena
        gradientBase = arena.base
        trainable = model.trainable
        offsets = model.offsets
        spec = model.spec
        ropeFrequencies = model.ropeFrequencies
    }

    /// Forward-only replicas for row-parallel inference (`logits`, `evaluate`), made on first use.
    var inferenceReplicas: [GPTModel] = []
    /// Row shards and gathered outputs of the last row-parallel batch shape (see GPTModel+RowParallel).
    var rowParallelScratch: RowParallelScratch?

    /// The models that run rows `GPTModel.rows(of: w, …)` of a `b`-row batch in parallel: this model
    /// first, then forward-only replicas. Just this model with one thread, one row or adapters.
    func inferenceWorkers(rows b: Int) -> [GPTModel] {
        let workers = adapters == nil ? min(ComputeThreads.count, b) : 1
        if workers <= 1 { return [self] }
        while inferenceReplicas.count < workers - 1 { inferenceReplicas.append(GPTModel(replicaOf: self, gradients: false)) }
        return [self] + inferenceReplicas.prefix(workers - 1)
    }

    /// Rows of a `batchSize`-row batch that worker `w` of `workers` runs: contiguous, sizes differing by ≤ 1.
    static func rows(of w: Int, workers: Int, batchSize: Int) -> Range<Int> {
        (w * batchSize / workers)..<((w + 1) * batchSize / workers)
    }

    /// Number of parameters (a tied head counted once).
    public var parameterCount: Int { layout.totalCount }

    // MARK: Parameter access (for HF import/export and checkpoints)

    /// Lends the flat parameter buffer (layout order) to `body`. Do not let the pointer escape.
    public func withParameters<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: layout.totalCount))
    }

    /// Lends the flat gradient buffer (layout order, valid after `backward`) to `body`.
    public func withGradients<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: gradientBase, count: layout.totalCount))
    }

    /// Lends the values of parameter `name` (HF GPT-2 name; shape `layout.info(name)!.shape`).
    /// - Throws: `ModelingError.unknownParameter` for a name not in the layout.
    public func withParameter<R>(named name: String, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) throws -> R {
        guard let info = layout.info(name) else { throw ModelingError.unknownParameter(name) }
        return try body(UnsafeMutableBufferPointer(start: storage.base + info.offset, count: info.count))
    }

    /// A copy of all parameters in layout order.
    public func parameterValues() -> [Float] { withParameters { Array($0) } }

    /// Replaces all parameters (layout order).
    public func setParameterValues(_ values: [Float]) throws(ModelingError) {
        guard values.count == layout.totalCount else {
            throw .invalidData("expected \(layout.totalCount) parameter values, got \(values.count)")
        }
        values.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A copy of all gradients in layout order.
    public func gradientValues() -> [Float] { withGradients { Array($0) } }

    /// Sets every gradient to zero (a memset over the gradient buffer, split across threads).
    public func zeroGradients() {
        let base = gradientBase
        Parallel.forEachChunk(layout.totalCount, costPerItem: 1) { r in
            (base + r.lowerBound).update(repeating: 0, count: r.count)
        }
        adapters?.zeroGradients()
    }

    // MARK: Freezing

    /// Marks which parameters train; frozen ones get no gradient and no optimizer state.
    /// `trainable` has one entry per `layout.parameters` element.
    public func setTrainable(_ trainable: [Bool]) {
        precondition(trainable.count == layout.parameters.count, "one flag per layout entry")
        self.trainable = trainable
    }

    /// Applies a `Freezing` rule (see `Freezing`) and returns the trainable flags it produced.
    @discardableResult
    public func freeze(_ rule: Freezing) throws(ModelingError) -> [Bool] {
        let flags = try rule.trainableFlags(layout: layout, nLayer: config.nLayer)
        setTrainable(flags)
        return flags
    }

    /// Gradient pointer for layout entry `offset`, or nil when that tensor is frozen.
    @inline(__always) func grad(_ entry: Int, _ offset: Int) -> UnsafeMutablePointer<Float>? {
        trainable[entry] ? gradientBase + offset : nil
    }

    @inline(__always) func param(_ offset: Int) -> UnsafeMutablePointer<Float> { storage.base + offset }

    /// Activations for (b, t), reallocated only when the shape changes or `forBackward` needs the
    /// per-layer buffers an inference arena lacks (a training arena serves inference as it is).
    func activations(b: Int, t: Int, forBackward: Bool = true) -> GPTActivations {
        if let a = activations, a.b == b, a.t == t, a.forBackward || !forBackward { return a }
        activations = nil  // free the old arena before the new one is allocated
        let a = GPTActivations(config: config, b: b, t: t, forBackward: forBackward)
        activations = a
        return a
    }

    /// Floats held by parameters, gradients and activations (for memory accounting).
    public var allocatedFloats: Int {
        (replicaGradients == nil ? storage.count : replicaGradients!.count) + (activations?.floatCount ?? 0)
            + inferenceReplicas.reduce(0) { $0 + $1.allocatedFloats } + (rowParallelScratch?.floatCount ?? 0)
            + (adapters.map { $0.storage.count + ($0.activations?.arena.count ?? 0) } ?? 0)
    }
}
