/// Everything the Modeling module can report to a user: each message says what is wrong and how to fix it.
public enum ModelingError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidConfig(String)
    case invalidData(String)
    case invalidHyperparameters(String)
    case unknownParameter(String)
    case invalidPattern(String)
    case checkpoint(path: String, problem: String)
    /// A LoRA adapter directory (PEFT or mlx-lm) that cannot be read or written.
    case adapterFile(path: String, problem: String)
    /// A model file's tokenizer that Lathe cannot build (GGUF metadata).
    case tokenizerFile(path: String, problem: String)

    public var description: String {
        switch self {
        case .invalidConfig(let s): "Invalid model config: \(s)."
        case .invalidData(let s): "Invalid training data: \(s)."
        case .invalidHyperparameters(let s): "Invalid training settings: \(s)."
        case .unknownParameter(let s): "Unknown parameter '\(s)'. Parameter names follow HF (e.g. 'transformer.h.0.attn.c_attn.weight', 'model.layers.0.self_attn.q_proj.weight')."
        case .invalidPattern(let s): "Invalid parameter pattern '\(s)': it is not a valid regular expression."
        case .checkpoint(let path, let problem): "\(path): \(problem). Delete the checkpoint to start the run afresh."
        case .adapterFile(let path, let problem): "\(path): \(problem)."
        case .tokenizerFile(let path, let problem): "\(path): \(problem)."
        }
    }
}
