import Foundation
import Orchestration
import SafeTensors
import Testing
import TestSupport

/// Acceptance tests of the training stages (issue #5): real recipes through the loader, the
/// executor and the stage adapters, on tiny project-owned synthetic data and tiny models.
@Suite(.serialized) struct TrainingStageAcceptanceTests {
    static let model = "{n_layer: 2, n_head: 2, n_embd: 32, n_positions: 64}"

    /// Writes `general.txt` and `domain.txt` (120 documents each, seed 11; held-out text uses other seeds).
    static func writeText(_ p: TemporaryProject) {
        var g = SyntheticText(seed: 11)
        p.write("pipelines/data/general.txt", SyntheticText.file(g.documents(120) { $0.generalSentence() }))
        p.write("pipelines/data/domain.txt", SyntheticText.file(g.documents(120) { $0.domainSentence() }))
    }

    /// The `tok` stage: a byte-level BPE tokenizer of `vocab` tokens trained on `files` (under `data/`).
    static func tok(_ files: [String], vocab: Int = 300) -> String {
        "  tok: {kind: tokenize, vocab_size: \(vocab), datasets: [\(files.map { "{path: data/\($0), type: completion}" }.joined(separator: ", "))]}\n"
    }

    /// The `base` stage: a tiny GPT-2 pre-trained from scratch on `general.txt`; `extra` adds keys.
    static func base(steps: Int, extra: String = "") -> String {
        """
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: \(model)
            datasets: [{path: data/general.txt, type: completion}]
            learning_rate: 3.0e-3
            max_steps: \(steps)
            sequence_len: 64
            micro_batch_size: 8
            threads: 1
            warmup_steps: 5
        \(extra)
        """
    }

    /// Unigram entropy (nats per token) of a token stream.
    static func unigramEntropy(_ tokens: [Int32]) -> Double {
        var counts: [Int32: Int] = [:]
        for t in tokens { counts[t, default: 0] += 1 }
        let n = Double(tokens.count)
        return counts.values.sorted().reduce(0.0) { h, c in h - Double(c) / n * log(Double(c) / n) }
    }

    @Test func pretrainingFromScratchLearnsBelowTheUnigramEntropy() throws {
        var run = TrainingPipeline()
        Self.writeText(run.project)
        let summary = try run.run("name: t\nseed: 3\nstages:\n" + Self.tok(["general.txt"]) + Self.base(steps: 80, extra: "    val_set_size: 0.1"))
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let trained = try TrainedModel(try run.output("base"))
        var g = SyntheticText(seed: 11)
        let train = g.documents(120) { $0.generalSentence() }
        let entropy = Self.unigramEntropy(trained.stream(train))
        var h = SyntheticText(seed: 99)
        let heldOut = try trained.loss(h.documents(30) { $0.generalSentence() }, sequenceLength: 64)
        let valLoss = try #require(try run.metrics("base")["val_loss"])
        print("pretrain: unigram entropy \(entropy) nats, val_loss \(valLoss), held-out loss \(heldOut)")
        #expect(valLoss < 0.75 * entropy)
        #expect(heldOut < 0.75 * entropy)
    }

    @Test func domainAdaptLowersDomainLossAndReplayLimitsForgetting() throws {
        var run = TrainingPipeline()
        Self.writeText(run.project)
        let adapt = { (name: String, replay: String) in
            """
              \(name):
                kind: domain-adapt
                from: base
                datasets: [{path: data/domain.txt, type: completion}]
                learning_rate: 3.0e-3
                max_steps: 60
                sequence_len: 64
                micro_batch_size: 8
                threads: 1
                warmup_steps: 5
            \(replay)

            """
        }
        let yaml = "name: t\nseed: 3\nstages:\n" + Self.tok(["general.txt", "domain.txt"]) + Self.base(steps: 80)
            + adapt("plain", "") + adapt("replayed", "    replay: {ratio: 0.3, datasets: [{path: data/general.txt, type: completion}]}")
        let summary = try run.run(yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        var g = SyntheticText(seed: 77)
        let general = g.documents(30) { $0.generalSentence() }
        let domain = g.documents(30) { $0.domainSentence() }
        var losses: [String: (general: Double, domain: Double)] = [:]
        for stage in ["base", "plain", "replayed"] {
            let m = try TrainedModel(try run.output(stage))
            losses[stage] = (try m.loss(general, sequenceLength: 64), try m.loss(domain, sequenceLength: 64))
        }
        let base = try #require(losses["base"]), plain = try #require(losses["plain"]), replayed = try #require(losses["replayed"])
        print("domain-adapt: domain ppl base \(exp(base.domain)) plain \(exp(plain.domain)) replay \(exp(replayed.domain)); general ppl base \(exp(base.general)) plain \(exp(plain.general)) replay \(exp(replayed.general))")
        #expect(plain.domain < base.domain - 1.0)
        #expect(replayed.domain < base.domain - 1.0)
        #expect(plain.general > base.general)
        #expect(replayed.general - base.general < 0.5 * (plain.general - base.general))
    }

    @Test func frozenWeightsComeOutBitIdentical() throws {
        var run = TrainingPipeline()
        Self.writeText(run.project)
        let yaml = "name: t\nseed: 3\nstages:\n" + Self.tok(["general.txt"]) + Self.base(steps: 5) + """
              ft:
                kind: pretrain-continue
                from: base
                freeze_trainable_layers: 1
                datasets: [{path: data/general.txt, type: completion}]
                learning_rate: 3.0e-3
                max_steps: 5
                sequence_len: 64
                micro_batch_size: 8
                threads: 1

            """
        let summary = try run.run(yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let before = try SafeTensorsFile.read(contentsOf: try run.output("base").appendingPathComponent("model.safetensors"))
        let after = try SafeTensorsFile.read(contentsOf: try run.output("ft").appendingPathComponent("model.safetensors"))
        func bytes(_ f: SafeTensorsFile, _ name: String) throws -> [UInt8] { try f.withRawBytes(name) { Array($0) } }
        let frozen = before.tensors.map(\.name).filter { !$0.contains("h.1.") }
        let trainable = before.tensors.map(\.name).filter { $0.contains("h.1.") }
        #expect(frozen.contains { $0.hasSuffix("wte.weight") } && frozen.contains { $0.contains("h.0.attn.c_attn.weight") })
        for name in frozen { #expect(try bytes(before, name) == bytes(after, name), "\(name) changed though frozen") }
        #expect(!trainable.isEmpty)
        for name in trainable where name.hasSuffix(".weight") && !name.contains("ln_") {
            #expect(try bytes(before, name) != bytes(after, name), "\(name) did not train")
        }
    }

    /// "copy: fox red =" → " fox red", two words out of twelve (144 pairs); 30 held-out pairs never trained.
    static func copyTask() -> (train: [(String, String)], heldOut: [(String, String)]) {
        var g = SyntheticText(seed: 5)
        let words = SyntheticText.animals + SyntheticText.colours
        var seen: Set<String> = []
        var all: [(String, String)] = []
        while all.count < 144 {
            let triple = (0..<2).map { _ in g.pick(words) }.joined(separator: " ")
            if seen.insert(triple).inserted { all.append(("copy: \(triple) =", " \(triple)")) }
        }
        return (Array(all.prefix(114)), Array(all.suffix(30)))
    }

    @Test func instructTeachesAHeldOutTaskInTheTrainedFormat() throws {
        var run = TrainingPipeline()
        Self.writeText(run.project)
        let task = Self.copyTask()
        run.project.write("pipelines/data/copy.jsonl", task.train.map { "{\"input\": \"\($0.0)\", \"output\": \"\($0.1)\"}" }.joined(separator: "\n") + "\n")
        let yaml = "name: t\nseed: 3\nstages:\n" + Self.tok(["general.txt"]).replacingOccurrences(of: "]}", with: ", {path: data/copy.jsonl, type: input_output}]}")
            + Self.base(steps: 40) + """
              ft:
                kind: instruct
                from: base
                datasets: [{path: data/copy.jsonl, type: input_output}]
                sample_packing: true
                learning_rate: 6.0e-3
                max_steps: 300
                sequence_len: 64
                micro_batch_size: 8
                threads: 1
                warmup_steps: 10

            """
        let summary = try run.run(yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        func exactMatch(_ stage: String) throws -> Double {
            let m = try TrainedModel(try run.output(stage))
            let hits = try task.heldOut.filter { try m.answer($0.0, maxNewTokens: 12) == $0.1 }.count
            return Double(hits) / Double(task.heldOut.count)
        }
        let before = try exactMatch("base"), after = try exactMatch("ft")
        print("instruct: held-out exact match base \(before), after instruct \(after)")
        // Observed: 0.0 before, 0.7 after (the misses are one wrong word; the format, two words then
        // end-of-text, is always right). A tiny model after 300 steps, so a margin rather than ~1.
        #expect(before <= 0.1)
        #expect(after >= before + 0.4)
    }
}
