import Compute

/// One parameter tensor of a decoder, as the layout table describes it.
public struct ParameterInfo: Sendable, Hashable {
    /// What a tensor is, for initialisation and for the rules that treat kinds alike.
    public enum Role: Sendable, Hashable { case embedding, positions, norm, linear, bias, head }

    /// HF name, e.g. `transformer.h.0.attn.c_attn.weight`, `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// Shape as HF stores it (GPT-2 Conv1D weights [in, out], `nn.Linear` weights [out, in], embeddings
    /// [rows, C], vectors [n]).
    public let shape: [Int]
    /// Offset in floats from the start of the flat parameter (and gradient) buffer.
    public let offset: Int
    /// Element count (product of `shape`).
    public let count: Int
    /// AdamW weight decay applies (≥ 2-D tensors only, as nanoGPT's `configure_optimizers`).
    public let decays: Bool
    /// Block index, nil for embeddings, the final norm and the head.
    public let layer: Int?
    /// Full module path without the `.weight`/`.bias` suffix, e.g. `transformer.h.0.mlp.c_proj`.
    public let modulePath: String
    /// Module path relative to its block (`attn.c_proj`, `self_attn.q_proj`, `ln_1`), or the module name
    /// outside blocks.
    public let blockModule: String
    public let role: Role
    /// Last component of the module path (`c_attn`, `q_proj`, `ln_1`, `wte`…), what PEFT's
    /// `target_modules` entries match.
    public var moduleName: String { String(modulePath.split(separator: ".").last ?? "") }

    /// PEFT `target_modules` semantics: `target` equals the module path or is a dot-separated suffix of it.
    public func matchesModule(_ target: String) -> Bool {
        modulePath == target || modulePath.hasSuffix("." + target)
    }
}
