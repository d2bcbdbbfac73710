import Foundation

/// One adapted linear layer: block `layer`, module (relative to the block) `attn.c_attn`,
/// `self_attn.q_proj`, …
public struct LoRATarget: Sendable, Hashable, Codable {
    public var layer: Int
    public var module: String
    public var inFeatures: Int
    public var outFeatures: Int
    /// Module path in the HF model, e.g. `transformer.h.0.attn.c_attn`, `model.layers.0.self_attn.q_proj`.
    public var modulePath: String

    public init(layer: Int, module: String, inFeatures: Int, outFeatures: Int, modulePath: String) {
        self.layer = layer; self.module = module; self.inFeatures = inFeatures; self.outFeatures = outFeatures
        self.modulePath = modulePath
    }
}
