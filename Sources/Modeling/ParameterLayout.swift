/// One parameter tensor of a GPT model, as the layout table describes it.
public struct ParameterInfo: Sendable, Hashable {
    /// HF GPT-2 name, e.g. `transformer.h.0.attn.c_attn.weight`, `transformer.wte.weight`.
    public let name: String
    /// Shape as HF stores it (Conv1D weights [in, out], embeddings [rows, n_embd], vectors [n]).
    public let shape: [Int]
    /// Offset in floats from the start of the flat parameter (and gradient) buffer.
    public let offset: Int
    /// Element count (product of `shape`).
    public let count: Int
    /// AdamW weight decay applies (≥ 2-D tensors only, as nanoGPT's `configure_optimizers`).
    public let decays: Bool
    /// Block index, nil for embeddings and the final LayerNorm.
    public let layer: Int?
    /// Full module path without the `.weight`/`.bias` suffix, e.g. `transformer.h.0.mlp.c_proj`.
    public let modulePath: String
    /// Last component of the module path (`c_attn`, `c_proj`, `c_fc`, `ln_1`, `wte`…), what PEFT's
    /// `target_modules` entries match.
    public var moduleName: String { String(modulePath.split(separator: ".").last ?? "") }
    /// Module path relative to its block (`attn.c_proj`, `mlp.c_proj`, `ln_1`), or the module name outside blocks.
    public var blockModule: String {
        guard let layer else { return moduleName }
        return String(modulePath.dropFirst("transformer.h.\(layer).".count))
    }

    /// PEFT `target_modules` semantics: `target` equals the module path or is a dot-separated suffix of it.
    public func matchesModule(_ target: String) -> Bool {
        modulePath == target || modulePath.hasSuffix("." + target)
    }
}

/// The single table that drives the parameter allocation, HF names, weight decay, freezing and LoRA
/// targets (llm.c `fill_in_parameter_sizes`). Order: wte, wpe, then each block's tensors in HF order,
/// then ln_f, so one block's parameters are contiguous.
public struct ParameterLayout: Sendable, Hashable {
    public let parameters: [ParameterInfo]
    /// Total number of floats.
    public let totalCount: Int
    private let index: [String: Int]

    public init(config: GPTConfig) {
        let c = config.nEmbd
        var list: [ParameterInfo] = []
        var offset = 0
        func add(_ module: String, _ suffix: String, _ shape: [Int], layer: Int?) {
            let n = shape.reduce(1, *)
            list.append(ParameterInfo(name: module + "." + suffix, shape: shape, offset: offset, count: n,
                                      decays: shape.count >= 2, layer: layer, modulePath: module))
            offset += n
        }
        add("transformer.wte", "weight", [config.vocabSize, c], layer: nil)
        add("transformer.wpe", "weight", [config.nPositions, c], layer: nil)
        for l in 0..<config.nLayer {
            let p = "transformer.h.\(l)."
            add(p + "ln_1", "weight", [c], layer: l); add(p + "ln_1", "bias", [c], layer: l)
            add(p + "attn.c_attn", "weight", [c, 3 * c], layer: l); add(p + "attn.c_attn", "bias", [3 * c], layer: l)
            add(p + "attn.c_proj", "weight", [c, c], layer: l); add(p + "attn.c_proj", "bias", [c], layer: l)
            add(p + "ln_2", "weight", [c], layer: l); add(p + "ln_2", "bias", [c], layer: l)
            add(p + "mlp.c_fc", "weight", [c, 4 * c], layer: l); add(p + "mlp.c_fc", "bias", [4 * c], layer: l)
            add(p + "mlp.c_proj", "weight", [4 * c, c], layer: l); add(p + "mlp.c_proj", "bias", [c], layer: l)
        }
        add("transformer.ln_f", "weight", [c], layer: nil)
        add("transformer.ln_f", "bias", [c], layer: nil)
        parameters = list
        totalCount = offset
        index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
    }

    /// The entry named `name` (HF GPT-2 spelling), or nil.
    public func info(_ name: String) -> ParameterInfo? { index[name].map { parameters[$0] } }

    /// Offset of a parameter that must exist (internal: the model addresses its own tensors by name).
    func offset(_ name: String) -> Int { parameters[index[name]!].offset }
}
