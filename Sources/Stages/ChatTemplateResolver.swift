public import Datasets
public import Foundation
import JSONText
public import Recipes
public import Tokenization

/// Turns a stage's `chat_template:` into the template its data and prompts are rendered with.
public enum ChatTemplateResolver {
    /// The template for `name` (nil = `tokenizer` when `needed`, else none). `tokenizer` reads the model's
    /// own Jinja from `modelDirectory` (`chat_template.jinja`, `tokenizer_config.json`'s `chat_template`,
    /// or a `.gguf` file's `tokenizer.chat_template`) and recognises its family.
    /// - Throws: ``StageError/invalidInput(_:)`` when the model has no template, naming where Lathe looked
    ///   and the fix; ``DatasetError/unsupportedChatTemplate(source:reason:)`` for one Lathe cannot render.
    /// Returns the template and the Jinja text to write beside a model trained with it (the model's own
    /// text for `tokenizer`, the family's canonical source for a named template).
    public static func resolve(_ name: String?, needed: Bool, modelDirectory: URL?, tokenizer: BPETokenizer) throws -> (template: ChatTemplate, jinja: String)? {
        let eos = tokenizer.eosTokenId.map(tokenizer.tokenString)
        let bos = tokenizer.bosTokenId.map(tokenizer.tokenString)
        guard let name = name ?? (needed ? "tokenizer" : nil) else { return nil }
        if name != "tokenizer" {
            guard let template = ChatTemplates.named(name, eosToken: eos ?? "<|endoftext|>"), let jinja = ChatTemplates.jinja(named: name) else {
                throw StageError.invalidInput("chat_template '\(name)' does not exist; use one of \(ChatTemplates.names.joined(separator: ", ")).")
            }
            return (template, jinja)
        }
        guard let dir = modelDirectory, let (jinja, source) = try jinja(in: dir) else {
            throw StageError.invalidInput("`chat_template: tokenizer` needs the model's own template, but \(modelDirectory?.path ?? "a model trained from scratch") has none (no chat_template.jinja, no chat_template in tokenizer_config.json, no tokenizer.chat_template in a GGUF). Set `chat_template:` to one of \(ChatTemplates.names.dropFirst().joined(separator: ", ")).")
        }
        return (try ChatTemplates.recognise(jinja: jinja, bosToken: bos, eosToken: eos, source: source), jinja)
    }

    /// The model's Jinja chat template and the file it came from, or nil when it has none.
    public static func jinja(in dir: URL) throws -> (String, String)? {
        if dir.pathExtension.lowercased() == "gguf" {
            return try GGUFSource.chatTemplate(dir).map { ($0, dir.path + " (tokenizer.chat_template)") }
        }
        let file = dir.appendingPathComponent("chat_template.jinja")
        if let text = try? String(contentsOf: file, encoding: .utf8) { return (text, file.path) }
        let config = dir.appendingPathComponent("tokenizer_config.json")
        guard let data = try? Data(contentsOf: config), let template = (try? JSONValue.parse(data))?["chat_template"] else { return nil }
        if let text = template.stringValue { return (text, config.path) }
        // transformers also stores a list of named templates; the one called "default" is what it applies.
        if let text = template.arrayValue?.first(where: { $0["name"]?.stringValue == "default" })?["template"]?.stringValue {
            return (text, config.path)
        }
        return nil
    }
}

extension ChatTemplateResolver {
    /// The template a training stage renders its data with (`chat_template`, or the model's own when
    /// the stage has chat or sharegpt data). `modelDirectory` is the folder or `.gguf` of
    /// `tokenizer:`/`from:`.
    public static func resolve(_ p: TrainingParams, modelDirectory: URL?, tokenizer: BPETokenizer) throws -> (template: ChatTemplate, jinja: String)? {
        let conversations = (p.datasets + p.testDatasets).contains { $0.type == .chat || $0.type == .sharegpt }
        return try resolve(p.chatTemplate, needed: conversations, modelDirectory: modelDirectory, tokenizer: tokenizer)
    }
}
