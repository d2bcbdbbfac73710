import Foundation
import Tokenization

/// Small project-owned data and a tokenizer trained on it, shared by the Datasets tests.
enum Fixtures {
    static let text = """
        Lathe turns a recipe into stages. Each stage's key hashes its inputs.

        A rerun with nothing changed does nothing; a changed learning rate reruns one stage.
        Its dependents follow, and nothing else.

        The tokenizer is byte-level BPE, so any bytes round-trip.
        """

    static let tokenizer: BPETokenizer = {
        let corpus = [Array((text + "\n" + alpacaJSONL + dollyJSONL).utf8)]
        return try! BPETrainer(vocabSize: 420).train(corpus)
    }()

    static let alpacaJSONL = """
        {"instruction": "Name the stage that trains a tokenizer.", "input": "", "output": "The tokenize stage."}
        {"instruction": "Summarize the sentence.", "input": "A rerun with nothing changed does nothing.", "output": "Cached stages are skipped."}
        {"instruction": "Count the stages.", "input": "tokenize, instruct, evaluate", "output": "Three."}

        """

    static let dollyJSONL = """
        {"instruction": "What does a lock file record?", "context": "It records keys and hashes.", "response": "Keys and output hashes.", "category": "closed_qa"}

        """

    /// A fresh temporary directory.
    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `contents` to `name` in a fresh directory.
    static func file(_ name: String, _ contents: String) throws -> URL {
        let url = try directory().appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }
}
