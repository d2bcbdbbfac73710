public import Foundation
public import Tokenization

/// The chat template written beside a trained model: `chat_template.jinja` and a `tokenizer_config.json`
/// holding it with the bos/eos token strings, so transformers' `apply_chat_template` on the exported
/// folder renders the training format, and a later stage's `chat_template: tokenizer` finds it.
public enum ChatTemplateFiles {
    public static func write(_ jinja: String, tokenizer: BPETokenizer, to dir: URL) throws {
        try Data(jinja.utf8).write(to: dir.appendingPathComponent("chat_template.jinja"))
        var config: [String: Any] = ["chat_template": jinja]
        if let bos = tokenizer.bosTokenId { config["bos_token"] = tokenizer.tokenString(bos) }
        if let eos = tokenizer.eosTokenId { config["eos_token"] = tokenizer.tokenString(eos) }
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: dir.appendingPathComponent("tokenizer_config.json"))
    }
}
