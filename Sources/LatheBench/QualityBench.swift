import JSONText
import Datasets
import Foundation
import Modeling
import Stages
import Tokenization

/// `lathe-bench quality --model NAME=DIR … [--text NAME=FILE …] [--alpaca NAME=FILE …]
///  [--seq 128] [--max-tokens 40000] [--max-records 200] [--max-new 48]`
///
/// Quality figures for trained Lathe models (HF folders with `tokenizer.json`), one JSON object per
/// (model, data set) line:
/// - `--text`: perplexity of the model on the file's text, one document per non-blank line as the
///   `completion` stages read `.txt` files (windows of `--seq` tokens, the documents within the first
///   `--max-tokens` tokens).
/// - `--alpaca`: on Alpaca-format records (JSON array or JSONL), the response-token loss (prompt masked,
///   response + EOS scored, as the instruct stage trains) and greedy generation with the KV cache until
///   EOS (or `--max-new` tokens), scored as the evaluate stage scores them: `exact_match` (whitespace-
///   normalised equality with `output`), `token_f1` (SQuAD), `first_word_match` (the stage's label
///   `accuracy`: first line or first word equals the label, lower-cased, without punctuation).
/// Every model is evaluated with its own tokenizer, so models with different vocabularies compare on
/// perplexity per token of their own tokenization only.
enum QualityBench {
    static func run(_ arguments: [String]) -> Int32 {
        var models: [(String, String)] = [], texts: [(String, String)] = [], alpacas: [(String, String)] = []
        var seq = 128, maxTokens = 40_000, maxRecords = 200, maxNew = 48
        var i = 0
        while i < arguments.count {
            let flag = arguments[i]
            guard i + 1 < arguments.count else { return usage("\(flag) needs a value") }
            let value = arguments[i + 1]
            switch flag {
            case "--model", "--text", "--alpaca":
                guard let eq = value.firstIndex(of: "=") else { return usage("\(flag) takes NAME=PATH, got '\(value)'") }
                let pair = (String(value[..<eq]), String(value[value.index(after: eq)...]))
                if flag == "--model" { models.append(pair) } else if flag == "--text" { texts.append(pair) } else { alpacas.append(pair) }
            case "--seq": seq = Int(value) ?? seq
            case "--max-tokens": maxTokens = Int(value) ?? maxTokens
            case "--max-records": maxRecords = Int(value) ?? maxRecords
            case "--max-new": maxNew = Int(value) ?? maxNew
            default: return usage("unknown option \(flag)")
            }
            i += 2
        }
        guard !models.isEmpty, !(texts.isEmpty && alpacas.isEmpty) else { return usage("give at least one --model and one --text or --alpaca") }
        do {
            for (name, dir) in models {
                let url = URL(fileURLWithPath: dir)
                let model = try GPTModel.loadHF(directory: url)
                let tokenizer = try BPETokenizer.load(contentsOf: url.appendingPathComponent("tokenizer.json"))
                let t = min(seq, model.config.nPositions)
                for (dataName, path) in texts {
                    let r = try perplexity(model, tokenizer, path: path, sequenceLength: t, maxTokens: maxTokens)
                    emit(["model": .string(name), "data": .string(dataName), "metric": .string("text"),
                          "loss": .number(r.meanLoss), "perplexity": .number(r.perplexity), "tokens": .number(Double(r.targetTokens))])
                }
                for (dataName, path) in alpacas {
                    var fields = try instructionScores(model, tokenizer, path: path, sequenceLength: t, maxRecords: maxRecords, maxNew: maxNew)
                    fields["model"] = .string(name); fields["data"] = .string(dataName); fields["metric"] = .string("alpaca")
                    emit(fields)
                }
            }
        } catch {
            FileHandle.standardError.write(Data("lathe-bench quality: \(error)\n".utf8))
            return 1
        }
        return 0
    }

    /// Mean loss over the first `maxTokens` tokens of a text file, read as the `completion` stages read it
    /// (one document per non-blank line, EOS appended, positions restarting at each document, no loss
    /// across a document boundary), so the figure is comparable with a stage's `val_loss`. A plain token
    /// stream would be unfair to a model trained on short lines: it never saw positions past a line.
    /// The scoring is the evaluate stage's (``ModelScorer``).
    static func perplexity(_ model: GPTModel, _ tokenizer: BPETokenizer, path: String, sequenceLength: Int, maxTokens: Int) throws -> EvaluationResult {
        let spec = DatasetSpec(path: URL(fileURLWithPath: path), type: .completion, documentSplit: .line)
        let encoded = try DatasetEncoder.encode(spec, tokenizer: tokenizer)
        return try ModelScorer(model: model, tokenizer: tokenizer)
            .loss(ModelScorer.prefix(encoded, maxTokens: maxTokens), sequenceLength: sequenceLength, batchSize: 8, packed: false)
    }

    /// Response-token loss and greedy answers over the first `maxRecords` Alpaca records, scored as the
    /// evaluate stage scores them (``ModelScorer``, ``AnswerScoring``): `exact_match` (whitespace-normalised
    /// equality), `token_f1` (SQuAD), `first_word_match` (the evaluate stage's label `accuracy`).
    static func instructionScores(_ model: GPTModel, _ tokenizer: BPETokenizer, path: String, sequenceLength: Int,
                                  maxRecords: Int, maxNew: Int) throws -> [String: JSONOut] {
        let spec = DatasetSpec(path: URL(fileURLWithPath: path), type: .alpaca, maxSamples: maxRecords)
        let examples = try DatasetReader.examples(spec)
        guard tokenizer.endOfTextId != nil else { throw QualityError("the tokenizer has no end-of-text token") }
        let scorer = ModelScorer(model: model, tokenizer: tokenizer)
        let encoded = try DatasetEncoder.encode(examples, tokenizer: tokenizer)
        let loss = try scorer.loss(encoded, sequenceLength: sequenceLength, batchSize: 8, packed: true)
        var exact = 0, firstWord = 0, generatedTokens = 0, f1 = 0.0
        var samples: [JSONOut] = []
        var answers: [String: Int] = [:]   // first word generated → count (shows a constant answer)
        let start = Date()
        for example in examples {
            let expected = ModelScorer.reference(example)
            let (text, count) = try scorer.continuation(scorer.promptTokens(example), options: GenerationOptions(maxNewTokens: maxNew))
            generatedTokens += count
            if AnswerScoring.exactMatch(text, expected) { exact += 1 }
            if AnswerScoring.labelMatch(text, label: expected) { firstWord += 1 }
            f1 += AnswerScoring.tokenF1(text, expected)
            let got = AnswerScoring.normalizedWhitespace(text)
            answers[got.split(separator: " ").first.map { $0.lowercased() } ?? "", default: 0] += 1
            if samples.count < 3 { samples.append(.object(["expected": .string(AnswerScoring.normalizedWhitespace(expected)), "generated": .string(got)])) }
        }
        let n = Double(max(1, examples.count))
        return [
            "records": .number(Double(examples.count)),
            "response_loss": .number(loss.meanLoss), "response_perplexity": .number(loss.perplexity),
            "response_tokens": .number(Double(loss.targetTokens)),
            "exact_match": .number(Double(exact) / n), "first_word_match": .number(Double(firstWord) / n),
            "token_f1": .number(f1 / n),
            "generated_tokens": .number(Double(generatedTokens)),
            "generate_s": .number(Date().timeIntervalSince(start)),
            "samples": .array(samples),
            "top_first_words": .array(answers.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
                .map { .object(["word": .string($0.key), "count": .number(Double($0.value))]) }),
        ]
    }

    static func usage(_ problem: String) -> Int32 {
        FileHandle.standardError.write(Data("""
            lathe-bench quality: \(problem)
            usage: lathe-bench quality --model NAME=DIR … [--text NAME=FILE …] [--alpaca NAME=FILE …]
                   [--seq 128] [--max-tokens 40000] [--max-records 200] [--max-new 48]

            """.utf8))
        return 64
    }

    static func emit(_ fields: [String: JSONOut]) { print(JSONOut.object(fields).rendered) }
}

/// A user-facing failure of the quality bench (bad path, tokenizer without EOS).
struct QualityError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Minimal JSON for the bench's output, keys sorted so lines are deterministic.
indirect enum JSONOut {
    case string(String), number(Double), array([JSONOut]), object([String: JSONOut])

    var rendered: String {
        switch self {
        case .string(let s):
            return JSONString.quoted(s)
        case .number(let x):
            return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.6g", x)
        case .array(let a): return "[" + a.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { JSONOut.string($0).rendered + ": " + o[$0]!.rendered }.joined(separator: ", ") + "}"
        }
    }
}
