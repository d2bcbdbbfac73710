public import Foundation
import JSONText

/// Writing HF `tokenizer.json` exactly as `tokenizers`' `ByteLevelBPETokenizer` lays it out
/// (recipes.md §4b), so `Tokenizer.from_file` and `transformers` load it with identical ids.
extension BPETokenizer {
    /// The `tokenizer.json` text. Merges are written as pairs (`[["Ġ","t"], ...]`, tokenizers
    /// ≥ 0.20) unless `legacyMerges` asks for the older `"Ġ t"` strings. Vocab is ordered by id.
    /// A tokenizer read from a file with another pipeline (SmolLM2, Llama, …) gives that file back.
    public func tokenizerJSON(legacyMerges: Bool = false) -> String {
        if let originalJSON { return originalJSON }
        var out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
        for (i, t) in addedTokens.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += "    {\"id\": \(t.id), \"content\": \(JSONString.quoted(t.content)), \"single_word\": false, \"lstrip\": false, "
            out += "\"rstrip\": false, \"normalized\": false, \"special\": \(t.special)}"
        }
        out += addedTokens.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"normalizer\": null,\n"
        out += "  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},\n"
        out += "  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true},\n"
        out += "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n"
        out += "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
        out += "    \"continuing_subword_prefix\": \"\",\n    \"end_of_word_suffix\": \"\",\n    \"fuse_unk\": false,\n"
        out += "    \"byte_fallback\": false,\n    \"ignore_merges\": \(ignoreMerges),\n    \"vocab\": {"
        for id in 0..<vocabSize {
            out += id == 0 ? "\n      " : ",\n      "
            out += "\(JSONString.quoted(tokenString(id))): \(id)"
        }
        out += "\n    },\n    \"merges\": ["
        for (i, m) in merges.enumerated() {
            out += i == 0 ? "\n      " : ",\n      "
            let l = ByteLevel.encode(tokenBytes[m.left])
            let r = ByteLevel.encode(tokenBytes[m.right])
            out += legacyMerges ? JSONString.quoted(l + " " + r) : "[\(JSONString.quoted(l)), \(JSONString.quoted(r))]"
        }
        out += merges.isEmpty ? "]\n  }\n}\n" : "\n    ]\n  }\n}\n"
        return out
    }

    /// Writes `tokenizer.json` atomically.
    public func write(to url: URL, legacyMerges: Bool = false) throws {
        do {
            try Data(tokenizerJSON(legacyMerges: legacyMerges).utf8).write(to: url, options: .atomic)
        } catch {
            throw TokenizationError.unreadable(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
