import Datasets
import Foundation
import Recipes
import Tokenization

/// Turns a stage's `chat_template:` into the template its data and prompts are rendered with.
enum ChatTemplateResolver {
    /// The template for `name` (nil = `tokenizer` when `needed`, else none). `tokenizer` reads the model's
    /// own Jinja from `modelDirectory` (`chat_template.jinja`, `tokenizer_config.json`'s `chat_template`,
    /// or a `.gguf` file's `tokenizer.chat_template`) and recognises its family.
    /// - Throws: ``StageError/invalidInput(_:)`` when the model has no template, naming where Lathe looked
    ///   and the fix; ``DatasetError/unsupportedChatTemplate(source:reason:)`` for one Lathe cannot render.
    static func resolve(_ name: String?, needed: Bool, modelDirectory: URL?, tokenizer: BPETokenizer) throws -> ChatTemplate? {
        let eos = tokenizer.eosTokenId.map(tokenizer.tokenString)
        let bos = tokenizer.bosTokenId.map(tokenizer.tokenString)
        guard let name = name ?? (needed ? "tokenizer" : nil) else { return nil }
        if name != "tokenizer" {
            guard let template = ChatTemplates.named(name, eosToken: eos ?? "<|endoftext|>") else {
                throw StageError.invalidInput("chat_template '\(name)' does not exist; use one of \(ChatTemplates.names.joined(separator: ", ")).")
            }
            return template
        }
        guard let dir = modelDirectory, let (jinja, source) = try jinja(in: dir) else {
            throw StageError.invalidInput("`chat_template: tokenizer` needs the model's own template, but \(modelDirectory?.path ?? "a model trained from scratch") has none (no chat_template.jinja, no chat_template in tokenizer_config.json, no tokenizer.chat_template in a GGUF). Set `chat_template:` to one of \(ChatTemplates.names.dropFirst().joined(separator: ", ")).")
        }
        return try ChatTemplates.recognise(jinja: jinja, bosToken: bos, eosToken: eos, source: source)
    }

    /// The model's Jinja chat template and the file it came from, or nil when it has none.
    static func jinja(in dir: URL) throws -> (String, String)? {
        if dir.pathExtension.lowercased() == "gguf" {
            return try GGUFSource.chatTemplate(dir).map { ($0, dir.path + " (tokenizer.chat_template)") }
        }
        let file = dir.appendingPathComponent("chat_template.jinja")
        if let text = try? String(contentsOf: file, encoding: .utf8) { return (text, file.path) }
        let config = dir.appendingPathComponent("tokenizer_config.json")
        guard let data = try? Data(contentsOf: config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let text = object["chat_template"] as? String { return (text, config.path) }
        // transformers also stores a list of named templates; the one called "default" is what it applies.
        if let list = object["chat_template"] as? [[String: Any]],
           let text = list.first(where: { $0["name"] as? String == "default" })?["template"] as? String {
            return (text, config.path)
        }
        return nil
    }
}
