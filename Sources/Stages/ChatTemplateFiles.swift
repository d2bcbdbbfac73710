import JSONText
public import Foundation
public import Tokenization

/// The chat template written beside a trained model: `chat_template.jinja` and a `tokenizer_config.json`
/// holding it with the bos/eos token strings, so transformers' `apply_chat_template` on the exported
/// folder renders the training format, and a later stage's `chat_template: tokenizer` finds it.
public enum ChatTemplateFiles {
    public static func write(_ jinja: String, tokenizer: BPETokenizer, to dir: URL) throws {
        try Data(jinja.utf8).write(to: dir.appendingPathComponent("chat_template.jinja"))
        var config: JSONObject = ["chat_template": .string(jinja)]
        if let bos = tokenizer.bosTokenId { config["bos_token"] = .string(tokenizer.tokenString(bos)) }
        if let eos = tokenizer.eosTokenId { config["eos_token"] = .string(tokenizer.tokenString(eos)) }
        try Data(JSONValue.object(config).rendered().utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
    }
}
