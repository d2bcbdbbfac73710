import Foundation

/// Text the tests train and encode on: the project's own sources and test strings (no third-party text).
enum TestCorpus {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Tokenization module's Swift sources, concatenated in name order (~50 KB).
    static let sources: String = {
        let dir = packageRoot.appendingPathComponent("Sources/Tokenization")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        return names.map { (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? "" }.joined(separator: "\n\n")
    }()

    /// Prose with contractions, digits, whitespace runs and non-ASCII, written for these tests.
    static let prose = """
        Lathe runs recipes of stages: tokenize, pretrain-continue, domain-adapt, instruct, attach-adapters \
        and evaluate. Each stage's key is a hash of its inputs, so a rerun that changes nothing does nothing.
        It's deterministic; we've checked it 3 times, and it'll stay that way in 2026 and beyond.

        Tokens cost bytes: 5,242,862 bytes / 1,400,000 tokens ≈ 3.74 bytes per token.
        Ünïcödé text — naïve café, 日本語, 中文, emoji 🙂🚀 — must round-trip exactly.
            Indented\tcode\tand   runs   of   spaces.\r\nWindows line ends too.
        """

    /// Strings whose encodings the parity and round-trip tests compare.
    static let probes: [String] = PreTokenizerFixtures.cases.map(\.text) + prose.components(separatedBy: "\n") + [
        prose, String(sources.prefix(4000)), "    let x = 42 // answer", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "1234567890123456789012345678901234567890", "\n\n\n\n", "         ",
    ]
}
