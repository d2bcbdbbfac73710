import Foundation

/// One normalizer of a tokenizer.json `normalizer` (a `Sequence` is flattened into its steps).
/// Normalizers run on each stretch of text between added tokens, before pre-tokenization.
public enum Normalizer: Hashable, Sendable {
    /// `Prepend`: puts `prefix` before any non-empty text (Llama 2 / Mistral: `▁`).
    case prepend(String)
    /// `Replace` with a plain-string pattern: every occurrence, left to right (`" "` → `▁`).
    case replace(String, String)
    /// Unicode normalization forms `NFC` (Qwen2), `NFD`, `NFKC`, `NFKD`.
    case unicode(Form)

    public enum Form: String, Hashable, Sendable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }

    /// Applies the normalizers in order to `text`, writing the result to `out` (cleared first).
    /// - Complexity: O(n) per step.
    static func apply(_ steps: [Normalizer], to text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], scratch: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: text)
        for step in steps {
            switch step {
            case let .prepend(prefix):
                if !out.isEmpty { out.insert(contentsOf: prefix.utf8, at: 0) }
            case let .replace(pattern, content):
                let from = Array(pattern.utf8)
                guard !from.isEmpty else { continue }
                scratch.removeAll(keepingCapacity: true)
                var i = 0
                while i < out.count {
                    if out[i] == from[0] && i + from.count <= out.count && out[i..<(i + from.count)].elementsEqual(from) {
                        scratch.append(contentsOf: content.utf8)
                        i += from.count
                    } else {
                        scratch.append(out[i])
                        i += 1
                    }
                }
                swap(&out, &scratch)
            case let .unicode(form):
                // ASCII is invariant under every form.
                guard out.contains(where: { $0 >= 0x80 }) else { continue }
                let s = String(decoding: out, as: UTF8.self)
                let normalized: String
                switch form {
                case .nfc: normalized = s.precomposedStringWithCanonicalMapping
                case .nfd: normalized = s.decomposedStringWithCanonicalMapping
                case .nfkc: normalized = s.precomposedStringWithCompatibilityMapping
                case .nfkd: normalized = s.decomposedStringWithCompatibilityMapping
                }
                out = Array(normalized.utf8)
            }
        }
    }
}
