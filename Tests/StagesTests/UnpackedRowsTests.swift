import Datasets
import Foundation
import Modeling
import Recipes
@testable import Stages
import Testing
import TestSupport
import Tokenization

/// `sample_packing: false` lays each instruction record in its own padded row, next to its prompt
/// (issue 22 #5); `truncation:` decides what happens to a record longer than a row first.
@Suite struct UnpackedRowsTests {
    static let records = (0..<6).map { i in
        #"{"instruction": "name the colour of thing \#(i)", "output": "\#(String(repeating: "red ", count: 1 + 12 * (i % 3)))"}"#
    }

    /// The training rows a `tuned` stage with `keys` lays out (no model needed: only the data path runs).
    static func rows(_ keys: String, sequenceLen: Int = 512) throws -> (data: TrainingData, fit: [SequenceFitCounts]) {
        let p = TemporaryProject()
        p.write("pipelines/data/qa.jsonl", records.joined(separator: "\n") + "\n")
        let yaml = """
            name: rows
            stages:
              tok: {kind: tokenize, datasets: [{path: data/qa.jsonl, type: alpaca}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 1024}, datasets: [{path: data/qa.jsonl, type: alpaca}]}
              tuned: {kind: instruct, from: base, datasets: [{path: data/qa.jsonl, type: alpaca}], sequence_len: \(sequenceLen), \(keys)}
            """
        let url = p.root.appendingPathComponent("pipelines/rows.yaml")
        let recipe = try RecipeLoader(projectRoot: p.root, modelFolders: ModelFolderPreflight()).load(yaml: yaml, url: url).recipe
        let params = try #require(recipe.stage(named: "tuned")?.params.training)
        let tokenizer = try BPETrainer(vocabSize: 300, minFrequency: 1).train(records.map { Array($0.utf8) })
        let builder = try TrainingDataBuilder(params: params, kind: .instruct, tokenizer: tokenizer, root: p.root,
                                              sequenceLength: sequenceLen, vocabSize: 300, seed: 1)
        return (try builder.trainingData(), builder.fit.map(\.counts))
    }

    /// Document ids seen in each row (pads excluded).
    static func documentsPerRow(_ data: TrainingData) -> [Set<Int32>] {
        (0..<data.rowCount).map { r in
            Set(data.segments[(r * (data.sequenceLength + 1))..<((r + 1) * (data.sequenceLength + 1))].filter { $0 >= 0 })
        }
    }

    @Test("Unpacked, every alpaca record is one row and no row holds two records")
    func oneRecordPerRow() throws {
        let (data, _) = try Self.rows("sample_packing: false")
        #expect(data.rowCount == Self.records.count)
        #expect(Self.documentsPerRow(data).allSatisfy { $0.count == 1 })
        let (packed, _) = try Self.rows("sample_packing: true")
        #expect(packed.rowCount < Self.records.count)
        #expect(Self.documentsPerRow(packed).contains { $0.count > 1 })
        #expect(packed.targetCount == data.targetCount)
    }

    /// Tokens per record, measured in rows long enough for every record.
    static func recordLengths() throws -> [Int] {
        let (data, _) = try rows("sample_packing: false")
        return documentsPerRow(data).indices.map { r in
            data.segments[(r * (data.sequenceLength + 1))..<((r + 1) * (data.sequenceLength + 1))].filter { $0 >= 0 }.count
        }
    }

    @Test("Unpacked with truncation: split, an over-long record's windows are separate rows; with drop it is gone")
    func truncationDecidesFirst() throws {
        let lengths = try Self.recordLengths().sorted()
        #expect(lengths.first! < lengths.last!)
        let t = lengths[lengths.count / 2]  // rows of t + 1 tokens: the longer records do not fit
        let over = lengths.filter { $0 > t + 1 }.count
        #expect(over > 0)
        let (split, splitFit) = try Self.rows("sample_packing: false, truncation: split", sequenceLen: t)
        #expect(splitFit.reduce(0) { $0 + $1.split } == over)
        #expect(Self.documentsPerRow(split).allSatisfy { $0.count == 1 })
        #expect(split.rowCount > Self.records.count)
        let (dropped, dropFit) = try Self.rows("sample_packing: false, truncation: drop", sequenceLen: t)
        #expect(dropFit.reduce(0) { $0 + $1.dropped } == over)
        #expect(dropped.rowCount == Self.records.count - over)
        #expect(Self.documentsPerRow(dropped).allSatisfy { $0.count == 1 })
    }
}
