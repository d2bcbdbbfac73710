public import SafeTensors

/// Errors importing or exporting a Hugging Face GPT-2 directory. Messages name the file, say what is wrong
/// and how to fix it.
public enum HFCheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A required file is missing from the directory.
    case missingFile(directory: String, file: String, hint: String)
    /// `config.json` is not valid JSON or a field has the wrong type or value.
    case invalidConfig(file: String, detail: String)
    /// The config describes a model Lathe's GPT-2 engine cannot run.
    case unsupportedConfig(file: String, field: String, value: String, fix: String)
    /// A weight the config requires is not in the checkpoint.
    case missingTensor(file: String, tensor: String)
    /// A tensor name Lathe does not know (not a GPT-2 parameter or buffer).
    case unexpectedTensor(file: String, tensor: String)
    /// Both the `transformer.`-prefixed and the bare name of one parameter are present.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor's shape disagrees with `config.json`.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// `lm_head.weight` differs from `wte.weight`; Lathe ties them.
    case untiedHead(file: String)
    /// The exporter was given a wrong or incomplete parameter set.
    case invalidParameters(detail: String)
    /// Reading or writing a file failed.
    case io(path: String, detail: String)
    /// The safetensors layer rejected a file.
    case safeTensors(SafeTensorsError)

    public var description: String {
        switch self {
        case let .missingFile(directory, file, hint):
            return "\(directory): no '\(file)' in this directory. \(hint)"
        case let .invalidConfig(file, detail):
            return "\(file): \(detail). Fix the field or re-export the model with `save_pretrained`."
        case let .unsupportedConfig(file, field, value, fix):
            return "\(file): '\(field)' is \(value), which Lathe's GPT-2 engine does not support. \(fix)"
        case let .missingTensor(file, tensor):
            return "\(file): missing weight '\(tensor)' required by config.json. The checkpoint is incomplete or "
                + "belongs to a different config; re-export it."
        case let .unexpectedTensor(file, tensor):
            return "\(file): unexpected tensor '\(tensor)', which is not a GPT-2 (GPT2LMHeadModel) weight. "
                + "Export the plain language model, without extra heads or adapters."
        case let .duplicateTensor(file, tensor):
            return "\(file): weight '\(tensor)' is present both with and without the 'transformer.' prefix; keep one."
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): weight '\(tensor)' has shape \(found) but config.json implies \(expected). "
                + "The weights and config.json belong to different models."
        case let .untiedHead(file):
            return "\(file): 'lm_head.weight' differs from 'wte.weight', but Lathe ties the output head to the token "
                + "embedding (tie_word_embeddings). Export a tied GPT-2 model."
        case let .invalidParameters(detail):
            return "cannot export the model: \(detail)."
        case let .io(path, detail):
            return "\(path): \(detail)."
        case let .safeTensors(error):
            return error.description
        }
    }
}
