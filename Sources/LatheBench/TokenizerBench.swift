import Foundation
import Tokenization

/// `lathe-bench tokenizer CORPUS [--vocab 1024 8192] [--reps 5] [--save DIR]`
///
/// Mirrors `shared/bench/engine/bench_tok.py`: BPE training time (min_frequency 2, no special
/// tokens, so the merges are comparable with HF's) and encode MB/s over ~4 KiB chunks cut at line
/// ends, on 1 and 2 threads. MB = 10⁶ bytes; figures are medians. Prints one JSON object per line.
enum TokenizerBench {
    static func run(_ arguments: [String]) {
        guard let corpusPath = arguments.first, let corpus = FileManager.default.contents(atPath: corpusPath) else {
            print("usage: lathe-bench tokenizer CORPUS [--vocab V ...] [--reps N] [--save DIR]")
            return
        }
        var vocabs = [1024, 8192]
        var reps = 5
        var saveDir: String?
        var i = 1
        while i < arguments.count {
            switch arguments[i] {
            case "--vocab":
                vocabs = []
                while i + 1 < arguments.count, let v = Int(arguments[i + 1]) { vocabs.append(v); i += 1 }
            case "--reps": reps = Int(arguments[i + 1]) ?? reps; i += 1
            case "--save": saveDir = arguments[i + 1]; i += 1
            default: break
            }
            i += 1
        }
        let bytes = [UInt8](corpus)
        let chunks = chunk(bytes)
        for vocab in vocabs {
            var trained: BPETokenizer?
            for threads in [1, 2] {
                let trainer = BPETrainer(vocabSize: vocab, minFrequency: 2, specialTokens: [], threads: threads)
                let seconds = median(reps: max(3, reps / 2)) { trained = try? trainer.train([bytes]) }
                report(["what": "lathe.train", "vocab": vocab, "threads": threads, "train_s_median": round3(seconds)])
            }
            guard let tok = trained else { continue }
            if let saveDir {
                try? FileManager.default.createDirectory(atPath: saveDir, withIntermediateDirectories: true)
                try? tok.write(to: URL(fileURLWithPath: saveDir).appendingPathComponent("lathe\(vocab).json"))
            }
            for threads in [1, 2] {
                var ids: [[UInt32]] = []
                let seconds = median(reps: reps) { ids = tok.encodeBatch(chunks, threads: threads) }
                let tokens = ids.reduce(0) { $0 + $1.count }
                let roundTrip = zip(chunks, ids).allSatisfy { tok.decode($1.map(Int.init)) == $0 }
                report([
                    "what": "lathe.encodeBatch", "vocab": vocab, "threads": threads, "tokens": tokens,
                    "bytes_per_token": round3(Double(bytes.count) / Double(tokens)), "roundtrip_ok": roundTrip,
                    "mb_s_median": round3(Double(bytes.count) / seconds / 1e6),
                ])
            }
        }
    }

    /// ~4 KiB pieces cut after line ends, as bench_tok.py's `chunks_of`.
    static func chunk(_ bytes: [UInt8], size: Int = 4096) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A && i + 1 - start >= size {
                chunks.append(Array(bytes[start...i]))
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { chunks.append(Array(bytes[start...])) }
        return chunks
    }

    /// Median wall seconds of `reps` runs after one warm-up.
    static func median(reps: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<reps {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }

    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    static func report(_ fields: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
