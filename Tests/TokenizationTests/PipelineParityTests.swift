import Foundation
import Testing
@testable import Tokenization

/// Parity with HF `tokenizers` for the tokenizer.json layouts of LLaMA-family models. For each
/// variant a Python subprocess trains a tokenizer on 1 MB of ``MultilingualCorpus`` text with that
/// layout, saves it, and encodes 2 MB of other corpus text (≈ 10,000 chunks of 1 to 8 lines); Lathe
/// loads the same file and must give the same ids for every chunk, with and without the
/// post-processor's template, and decode HF's ids to HF's text. Needs `pip install tokenizers`;
/// fails (never skips) without it.
@Suite(.serialized) struct PipelineParityTests {
    static let script = #"""
# Builds one tokenizer variant with HF tokenizers, trained on a corpus, and encodes texts with it.
#   python3 variants.py VARIANT corpus.txt texts.json out_dir
import json, sys
try:
    from tokenizers import Tokenizer, Regex, AddedToken, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer
except ImportError:
    print("MISSING: the Python package 'tokenizers' is not installed; run: pip install tokenizers")
    sys.exit(3)

variant, corpus_path, texts_path, out_dir = sys.argv[1:5]
lines = open(corpus_path, encoding="utf-8", newline="").read().splitlines(keepends=True)
L3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QW = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
byte_level = variant in ("smollm2", "llama3", "qwen2")

if byte_level:
    tok = Tokenizer(BPE())
    if variant == "smollm2":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
        specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    elif variant == "llama3":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(L3), behavior="isolated", invert=False),
                                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"]
    else:
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QW), behavior="isolated", invert=False),
                                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = BpeTrainer(vocab_size=3000, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                         show_progress=False)
    tok.train_from_iterator(lines, trainer)
    tok.decoder = decoders.ByteLevel()
    if variant == "llama3":
        data = json.loads(tok.to_str())
        data["model"]["ignore_merges"] = True
        tok = Tokenizer.from_str(json.dumps(data))
        tok.post_processor = processors.Sequence([processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                          special_tokens=[("<|begin_of_text|>", tok.token_to_id("<|begin_of_text|>"))])])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
else:
    # SentencePiece-style BPE as in Llama 2 / Mistral / TinyLlama: train with Metaspace, then lay the
    # vocabulary out like Llama 2 (<unk> <s> </s>, the 256 <0xHH> byte tokens, then the rest).
    t = Tokenizer(BPE(unk_token="<unk>"))
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = BpeTrainer(vocab_size=3000, special_tokens=["<unk>", "<s>", "</s>"], limit_alphabet=300, show_progress=False)
    t.train_from_iterator(lines, trainer)
    trained = json.loads(t.to_str())["model"]
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    for token, _ in sorted(trained["vocab"].items(), key=lambda kv: kv[1]):
        if token not in vocab:
            vocab[token] = len(vocab)
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in trained["merges"]]
    tok = Tokenizer(BPE(vocab, merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.add_special_tokens([AddedToken(s, normalized=False, special=True) for s in ["<unk>", "<s>", "</s>"]])
    if variant == "llama2":
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                         decoders.Strip(" ", 1, 0)])
    else:
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace(replacement="▁", prepend_scheme="first")])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
tok.add_tokens(["[[custom]]"])  # a non-special added token (normalized=True)
tok.save(out_dir + "/tokenizer.json")
tok = Tokenizer.from_file(out_dir + "/tokenizer.json")
texts = json.load(open(texts_path, encoding="utf-8"))
plain = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
templ = [e.ids for e in tok.encode_batch(texts[:50], add_special_tokens=True)]
decoded = tok.decode_batch(plain, skip_special_tokens=False)
json.dump({"ids": plain, "template": templ, "decoded": decoded}, open(out_dir + "/hf.json", "w", encoding="utf-8"))
"""#

    struct HF: Decodable {
        var ids: [[Int]]
        var template: [[Int]]
        var decoded: [String]
    }

    static let trainingText = MultilingualCorpus.text(bytes: 1_000_000, seed: 1)
    static let chunks = MultilingualCorpus.chunks(MultilingualCorpus.text(bytes: 2_000_000, seed: 2), seed: 3)

    /// Trains and encodes with HF for `variant`; returns the tokenizer.json text and HF's results.
    static func huggingFace(_ variant: String) throws -> (json: Data, hf: HF)? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpusURL = dir.appendingPathComponent("corpus.txt")
        let textsURL = dir.appendingPathComponent("texts.json")
        let scriptURL = dir.appendingPathComponent("variants.py")
        try Data(trainingText.utf8).write(to: corpusURL)
        try JSONEncoder().encode(chunks).write(to: textsURL)
        try Data(script.utf8).write(to: scriptURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, variant, corpusURL.path, textsURL.path, dir.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 {
            Issue.record("pip install tokenizers — \(out)")
            return nil
        }
        guard process.terminationStatus == 0 else {
            Issue.record("python3 failed (\(process.terminationStatus)): \(errors)")
            return nil
        }
        let json = try Data(contentsOf: dir.appendingPathComponent("tokenizer.json"))
        let hf = try JSONDecoder().decode(HF.self, from: Data(contentsOf: dir.appendingPathComponent("hf.json")))
        return (json, hf)
    }

    /// Compares Lathe with HF on every chunk; records at most a few differences in detail.
    static func check(_ variant: String, expectPipeline: (TokenizerPipeline) -> Bool) throws {
        guard let (json, hf) = try huggingFace(variant) else { return }
        let tok = try BPETokenizer(tokenizerJSON: json, source: "\(variant)/tokenizer.json")
        #expect(expectPipeline(tok.pipeline), "\(tok.pipeline)")
        #expect(tok.tokenizerJSON() == String(decoding: json, as: UTF8.self), "a non-GPT-2 file is written back unchanged")
        try compare(tok, hf, variant)
    }

    /// Lathe's ids for every chunk (with and without the template) and decodes of HF's ids.
    static func compare(_ tok: BPETokenizer, _ hf: HF, _ variant: String) throws {
        try #require(hf.ids.count == chunks.count && hf.decoded.count == chunks.count)
        var encoder = BPEEncoder(tok)
        var idMismatches = 0
        var decodeMismatches = 0
        var tokens = 0
        for (i, chunk) in chunks.enumerated() {
            var out: [UInt32] = []
            encoder.encode(chunk, allowAddedTokens: true, into: &out)
            let ids = out.map(Int.init)
            tokens += ids.count
            if ids != hf.ids[i] {
                idMismatches += 1
                if idMismatches <= 3 {
                    let at = (0..<min(ids.count, hf.ids[i].count)).first { ids[$0] != hf.ids[i][$0] } ?? min(ids.count, hf.ids[i].count)
                    let show = { (xs: [Int]) in xs[max(0, at - 3)..<min(xs.count, at + 5)].map { tok.tokenString($0) } }
                    Issue.record("\(variant) chunk \(i) \(chunk.debugDescription): ids differ at \(at): Lathe \(show(ids)) HF \(show(hf.ids[i]))")
                }
            }
            if tok.decodeText(hf.ids[i]) != hf.decoded[i] {
                decodeMismatches += 1
                if decodeMismatches <= 3 {
                    Issue.record("\(variant) chunk \(i): decode differs: Lathe \(tok.decodeText(hf.ids[i]).debugDescription) HF \(hf.decoded[i].debugDescription)")
                }
            }
        }
        for (i, expected) in hf.template.enumerated() {
            #expect(tok.encode(chunks[i], allowAddedTokens: true, addSpecialTokens: true) == expected, "\(variant) template, chunk \(i)")
        }
        #expect(idMismatches == 0, "\(variant): \(idMismatches) of \(chunks.count) chunks have different ids")
        #expect(decodeMismatches == 0, "\(variant): \(decodeMismatches) of \(chunks.count) chunks decode differently")
        #expect(tokens > 300_000, "\(variant): only \(tokens) tokens compared")
    }

    @Test("SmolLM2's pre-tokenizer, Sequence[Digits(individual), ByteLevel]: ids equal HF on 2 MB")
    func smolLM2() throws {
        try Self.check("smollm2") {
            $0.preTokenizer == [.digits(individual: true), .byteLevel(addPrefixSpace: false, useRegex: true)] && $0.template == nil
        }
    }

    @Test("Llama 3's Split regex + ByteLevel, ignore_merges and the <|begin_of_text|> template: ids equal HF on 2 MB")
    func llama3() throws {
        try Self.check("llama3") {
            $0.preTokenizer == [.split(.llama3), .byteLevel(addPrefixSpace: false, useRegex: false)] && $0.template?.prefix.count == 1
        }
    }

    @Test("Qwen2's NFC + Split regex + ByteLevel: ids equal HF on 2 MB")
    func qwen2() throws {
        try Self.check("qwen2") { $0.normalizers == [.unicode(.nfc)] && $0.preTokenizer.first == .split(.qwen2) }
    }

    @Test("SentencePiece-style BPE (Prepend + Replace, byte_fallback, <s> template) as in Llama 2 / Mistral / TinyLlama: ids equal HF on 2 MB")
    func sentencePiece() throws {
        try Self.check("llama2") { $0.normalizers == [.prepend("▁"), .replace(" ", "▁")] && $0.byteFallback && $0.preTokenizer.isEmpty }
    }

    @Test("SentencePiece-style BPE with the Metaspace pre-tokenizer (prepend_scheme first) and decoder: ids equal HF on 2 MB")
    func metaspace() throws {
        try Self.check("metaspace") { $0.normalizers.isEmpty && $0.preTokenizer == [.metaspace(replacement: "▁", prependScheme: .first, split: false)] }
    }
}

/// Parity on the real SmolLM2-135M-Instruct tokenizer.json that `scripts/fetch-models.sh` makes
/// (`$LATHE_MODEL_CACHE`, default `~/.cache/lathe/models`): as converted from the GGUF, and with the
/// hub's pre-tokenizer, `Sequence[Digits(individual_digits), ByteLevel]`, put back. Fails (never
/// skips) when the file is missing.
@Suite(.serialized) struct SmolLM2TokenizerTests {
    static let script = #"""
import json, sys
try:
    from tokenizers import Tokenizer, pre_tokenizers
except ImportError:
    print("MISSING: the Python package 'tokenizers' is not installed; run: pip install tokenizers")
    sys.exit(3)
path, texts_path, out_dir, digits = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "digits"
tok = Tokenizer.from_file(path)
if digits:
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])
tok.save(out_dir + "/tokenizer.json")
texts = json.load(open(texts_path, encoding="utf-8"))
plain = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
templ = [e.ids for e in tok.encode_batch(texts[:50], add_special_tokens=True)]
decoded = tok.decode_batch(plain, skip_special_tokens=False)
json.dump({"ids": plain, "template": templ, "decoded": decoded}, open(out_dir + "/hf.json", "w", encoding="utf-8"))
"""#

    static var directory: URL {
        let cache = ProcessInfo.processInfo.environment["LATHE_MODEL_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/lathe/models")
        return cache.appendingPathComponent("smollm2-135m-instruct")
    }

    /// The real tokenizer.json, or nil after recording why it is missing.
    static func realFile() -> URL? {
        let url = directory.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record("\(url.path) is missing: run scripts/fetch-models.sh (it fetches SmolLM2-135M-Instruct into $LATHE_MODEL_CACHE, default ~/.cache/lathe/models)")
            return nil
        }
        return url
    }

    /// HF's tokenizer.json (re-saved, with the hub pre-tokenizer when `digits`) and results.
    static func huggingFace(_ url: URL, digits: Bool) throws -> (json: Data, hf: PipelineParityTests.HF)? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-smollm2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let textsURL = dir.appendingPathComponent("texts.json")
        let scriptURL = dir.appendingPathComponent("smollm2.py")
        try JSONEncoder().encode(PipelineParityTests.chunks).write(to: textsURL)
        try Data(script.utf8).write(to: scriptURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, url.path, textsURL.path, dir.path, digits ? "digits" : "as-is"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("python3 failed (\(process.terminationStatus)): \(errors) — pip install tokenizers")
            return nil
        }
        let json = try Data(contentsOf: dir.appendingPathComponent("tokenizer.json"))
        let hf = try JSONDecoder().decode(PipelineParityTests.HF.self, from: Data(contentsOf: dir.appendingPathComponent("hf.json")))
        return (json, hf)
    }

    @Test("the real SmolLM2-135M-Instruct tokenizer.json: ids equal HF on 2 MB; bos/eos from tokenizer_config.json")
    func realFile() throws {
        guard let url = Self.realFile(), let (_, hf) = try Self.huggingFace(url, digits: false) else { return }
        let tok = try BPETokenizer.load(contentsOf: Self.directory)
        #expect(tok.vocabSize == 49_152)
        #expect(tok.bosTokenId == tok.addedTokenId("<|im_start|>"))
        #expect(tok.eosTokenId == tok.addedTokenId("<|im_end|>"))
        #expect(tok.endOfTextId == tok.addedTokenId("<|endoftext|>"))
        try PipelineParityTests.compare(tok, hf, "smollm2-real")
    }

    @Test("the real SmolLM2 vocabulary with the hub's Sequence[Digits(individual_digits), ByteLevel] pre-tokenizer: ids equal HF on 2 MB")
    func realVocabularyWithDigits() throws {
        guard let url = Self.realFile(), let (json, hf) = try Self.huggingFace(url, digits: true) else { return }
        let tok = try BPETokenizer(tokenizerJSON: json, source: "smollm2-digits/tokenizer.json")
        #expect(tok.pipeline.preTokenizer == [.digits(individual: true), .byteLevel(addPrefixSpace: false, useRegex: true)])
        try PipelineParityTests.compare(tok, hf, "smollm2-real-digits")
    }
}
