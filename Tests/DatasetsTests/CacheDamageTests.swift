import Foundation
import Testing
@testable import Datasets

/// A damaged encoded-dataset cache entry — a flipped byte that keeps the shard well formed, a
/// deleted checksum list — is reported with its path and rebuilt, never read as data.
@Suite struct CacheDamageTests {
    func split() -> EncodedSplit {
        var d = EncodedDataset()
        d.append(tokens: [1, 2, 3, 4, 5], mask: [0, 1, 1, 1, 1])
        d.append(tokens: [6, 7, 8], mask: [1, 1, 1])
        return EncodedSplit(train: d, validation: d.subset([1]))
    }

    @Test(arguments: ["train.bin", "val.bin", "checksums.txt"])
    func damagedEntryIsReportedAndRebuilt(file: String) throws {
        let cache = EncodedDatasetCache(directory: try Fixtures.directory())
        var builds = 0
        _ = try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: 300) { builds += 1; return split() }
        let url = cache.directory.appendingPathComponent("ab/abcdef/\(file)")
        if file == "checksums.txt" {
            try FileManager.default.removeItem(at: url)
        } else {
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 1] ^= 0x01  // a token id changes; the shard stays well formed
            try bytes.write(to: url)
        }
        var reports: [String] = []
        let again = try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: 300, onDiscard: { reports.append($0) }) {
            builds += 1
            return split()
        }
        #expect(!again.hit && builds == 2 && again.split == split())
        #expect(reports.count == 1)
        #expect(reports.first?.contains("ab/abcdef") == true && reports.first?.contains(file) == true, "\(reports)")
        #expect(try cache.loadOrBuild(key: "abcdef", description: "{}", vocabSize: 300) { builds += 1; return split() }.hit)
    }
}
