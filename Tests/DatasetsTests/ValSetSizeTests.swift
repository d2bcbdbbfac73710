import Testing
@testable import Datasets

@Suite struct ValSetSizeTests {
    @Test("a split keeps both parts in file order, covers every item once, and repeats for the same seed")
    func splitIsAPartitionInOrder() {
        let items = Array(0..<40)
        let size = ValSetSize(0.25)
        let (train, validation) = size.split(items, seed: 7)
        #expect(validation.count == 10 && train.count == 30)
        #expect(train == train.sorted() && validation == validation.sorted())
        #expect(Set(train).isDisjoint(with: validation) && Set(train + validation) == Set(items))
        #expect(size.split(items, seed: 7).validation == validation)
        #expect(size.split(items, seed: 8).validation != validation)
    }

    @Test("records and encoded documents are held out alike: the same seed picks the same indices")
    func recordsAndDocumentsSplitAlike() {
        var data = EncodedDataset()
        for d in 0..<12 { data.append(tokens: [UInt32(d)], mask: [1]) }
        let (_, heldDocuments) = data.split(valSetSize: .count(3), seed: 99)
        let heldIndices = ValSetSize.count(3).split(Array(0..<12), seed: 99).validation
        #expect(heldDocuments.tokens.map(Int.init) == heldIndices)
    }
}
