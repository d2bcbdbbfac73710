import Foundation
import Testing
import Tokenization
@testable import Datasets

@Suite struct ShardAndCacheTests {
    let tok = Fixtures.tokenizer

    func sample() -> EncodedDataset {
        var d = EncodedDataset()
        for n in 1...10 { d.append(tokens: (0..<UInt32(n)).map { $0 * 7 }, mask: (0..<n).map { UInt8($0 % 2) }) }
        return d
    }

    @Test("the shard header is llm.c's: magic, version, count; size checked")
    func shardHeader() throws {
        let data = TokenShard.ids([1, 2, 65535], vocabSize: 50257).encoded()
        let header = data.prefix(16).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        #expect(header == [20_240_520, 1, 3, 2])
        #expect(data.count == 1024 + 6)
        let wide = TokenShard.ids([70_000], vocabSize: 100_000).encoded()
        #expect(wide.prefix(4).withUnsafeBytes { $0.load(as: Int32.self) } == 20_240_801)
        #expect(throws: DatasetError.self) { try TokenShard.decode([UInt8](data.dropLast()), path: "x.bin") }
    }

    @Test("a headerless nanoGPT uint16 file reads as ids")
    func nanoGPT() throws {
        let shard = try TokenShard.decode([1, 0, 2, 1], path: "train.bin")
        #expect(shard.values == [1, 258])
    }

    @Test("datasets round-trip through shard files and read back as a tokenized dataset")
    func roundTrip() throws {
        let url = try Fixtures.directory().appendingPathComponent("train.bin")
        try sample().write(to: url, vocabSize: tok.vocabSize)
        #expect(try EncodedDataset.read(from: url) == sample())
        let examples = try DatasetReader.examples(DatasetSpec(path: url, type: .tokenized))
        #expect(try DatasetEncoder.encode(examples, tokenizer: tok) == sample())
    }

    @Test("the validation split is seeded, whole-document and order-preserving")
    func split() {
        let d = sample()
        let (train, val) = d.split(valSetSize: ValSetSize(0.2), seed: 42)
        let (train2, val2) = d.split(valSetSize: ValSetSize(0.2), seed: 42)
        #expect(train == train2 && val == val2)
        #expect(val.documentCount == 2 && train.documentCount == 8)
        #expect(train.tokens.count + val.tokens.count == d.tokens.count)
        let (_, other) = d.split(valSetSize: .count(2), seed: 7)
        #expect(other.documentCount == 2)
        #expect((0..<100).map { d.split(valSetSize: .count(3), seed: UInt64($0)).validation }.contains { $0 != val })
        #expect(ValSetSize(0).validationCount(of: 10) == 0)
        #expect(ValSetSize(50).validationCount(of: 10) == 9)
    }

    @Test("the cache description is canonical and leaves out the path")
    func description() throws {
        let a = DatasetSpec(path: URL(fileURLWithPath: "/a/data.jsonl"), type: .alpaca)
        let b = DatasetSpec(path: URL(fileURLWithPath: "/b/copy.jsonl"), type: .alpaca)
        let da = EncodedDatasetCache.description(tokenizerHash: "t", dataHash: "d", spec: a, sequenceLen: 128, packing: true, valSetSize: .fraction(0.1), seed: 1)
        let db = EncodedDatasetCache.description(tokenizerHash: "t", dataHash: "d", spec: b, sequenceLen: 128, packing: true, valSetSize: .fraction(0.1), seed: 1)
        #expect(da == db)
        #expect(da.hasPrefix("{\"data_hash\":\"d\",\"field\":null,\"format\":1,"))
        let dc = EncodedDatasetCache.description(tokenizerHash: "t", dataHash: "d", spec: a, sequenceLen: 256, packing: true, valSetSize: .fraction(0.1), seed: 1)
        #expect(dc != da)
        #expect(try JSONSerialization.jsonObject(with: Data(da.utf8)) is [String: Any])
    }

    @Test("the cache misses, stores, hits, and treats a corrupt entry as a miss")
    func cache() throws {
        let cache = EncodedDatasetCache(directory: try Fixtures.directory())
        let split = EncodedSplit(train: sample(), validation: sample().subset([1]))
        var builds = 0
        let first = try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: tok.vocabSize) { builds += 1; return split }
        let second = try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: tok.vocabSize) { builds += 1; return split }
        #expect(!first.hit && second.hit && builds == 1)
        #expect(second.split == split)
        let shard = cache.directory.appendingPathComponent("ab/abcdef/train.bin")
        try Data([1, 2, 3]).write(to: shard)
        #expect(cache.load(key: "abcdef") == nil)
        let third = try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: tok.vocabSize) { builds += 1; return split }
        #expect(!third.hit && builds == 2 && third.split == split)
    }
}

@Suite struct PackingTests {
    func dataset(_ lengths: [Int]) -> EncodedDataset {
        var d = EncodedDataset()
        var next: UInt32 = 0
        for n in lengths {
            d.append(tokens: (0..<n).map { _ in next += 1; return next }, mask: [UInt8](repeating: 1, count: n))
        }
        return d
    }

    @Test("packing places whole documents greedily and splits only over-long ones")
    func packing() {
        let seqs = dataset([3, 4, 2, 9]).sequences(sequenceLen: 8, packing: true)
        #expect(seqs.map(\.tokens.count) == [7, 2, 8, 1])
        #expect(seqs[0].documentStarts == [0, 3])
        #expect(seqs[1].documentStarts == [0])
        #expect(seqs.flatMap(\.tokens) == Array(1...18))
    }

    @Test("without packing each document is one truncated sequence")
    func noPacking() {
        let seqs = dataset([3, 10]).sequences(sequenceLen: 4, packing: false)
        #expect(seqs.map(\.tokens) == [[1, 2, 3], [4, 5, 6, 7]])
    }
}
