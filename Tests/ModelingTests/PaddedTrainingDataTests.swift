import Foundation
@testable import Modeling
import Testing

/// Unpacked training data (`sample_packing: false`, issue 22 #5): one document per right-padded row.
@Suite struct PaddedTrainingDataTests {
    static let documents: [[Int32]] = [[1, 2, 3], [4, 5, 6, 7, 8], [9, 10], [11, 12, 1, 2, 3, 4]]
    static let masks: [[UInt8]] = [[0, 1, 1], [0, 0, 1, 1, 1], [1, 1], [0, 1, 1, 1, 1, 1]]

    @Test("No row holds two documents: each is its own right-padded row, and pads carry no loss")
    func oneDocumentPerRow() throws {
        let data = try TrainingData.padded(documents: Self.documents, lossMasks: Self.masks, sequenceLength: 5, vocabSize: 13)
        #expect(data.rowCount == Self.documents.count)
        for (r, doc) in Self.documents.enumerated() {
            let row = r * 6
            #expect(Array(data.tokens[row..<(row + doc.count)]) == doc)
            #expect(Set(data.segments[row..<(row + 6)]).isSubset(of: [0, -1]))
            #expect(Array(data.segments[(row + doc.count)..<(row + 6)]).allSatisfy { $0 == -1 })
            #expect(Array(data.lossMask[(row + doc.count)..<(row + 6)]).allSatisfy { $0 == 0 })
        }
        // targets: positions whose next token is a label of the same document
        #expect(data.targetCount == 2 + 3 + 1 + 5)
    }

    @Test("A document longer than a row becomes windows of stride T, each its own row")
    func longDocumentIsWindowed() throws {
        let data = try TrainingData.padded(documents: [[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11]], sequenceLength: 4, vocabSize: 13)
        #expect(data.rowCount == 3)
        #expect(Array(data.tokens[0..<5]) == [1, 2, 3, 4, 5])
        #expect(Array(data.tokens[5..<10]) == [5, 6, 7, 8, 9])
        #expect(Array(data.tokens[10..<15]) == [10, 11, 0, 0, 0])
        #expect(data.targetCount == 8 + 1)
    }

    @Test("The loss over padded rows is the target-weighted mean of each document's own loss, unpadded",
          arguments: [Fixtures.tiny, Fixtures.tinyLlama])
    func paddingDoesNotChangeTheLoss(_ config: GPTConfig) throws {
        let model = try GPTModel(config: config, seed: 21)
        let all = try model.evaluate(
            TrainingData.padded(documents: Self.documents, lossMasks: Self.masks, sequenceLength: 7, vocabSize: config.vocabSize),
            batchSize: 3)
        var total = 0.0, count = 0
        for (doc, mask) in zip(Self.documents, Self.masks) {
            // the document alone, in a row exactly its length: nothing to pad
            let alone = try model.evaluate(
                TrainingData.padded(documents: [doc], lossMasks: [mask], sequenceLength: doc.count - 1, vocabSize: config.vocabSize))
            total += alone.meanLoss * Double(alone.targetTokens)
            count += alone.targetTokens
        }
        #expect(all.targetTokens == count)
        #expect(abs(all.meanLoss - total / Double(count)) < 1e-5)
    }

    @Test("Packing the same documents shares rows, so the two layouts differ")
    func packingDiffers() throws {
        let padded = try TrainingData.padded(documents: Self.documents, sequenceLength: 7, vocabSize: 13)
        let packed = try TrainingData.packed(documents: Self.documents, sequenceLength: 7, vocabSize: 13)
        #expect(padded.rowCount == 4)
        #expect(packed.rowCount < padded.rowCount)
    }
}
