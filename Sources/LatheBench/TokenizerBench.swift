import Foundation
import JSONText
import Tokenization
#if canImport(Glibc)
import Glibc
#endif

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
        var dumpPath: String?
        var i = 1
        while i < arguments.count {
            switch arguments[i] {
            case "--vocab":
                vocabs = []
                while i + 1 < arguments.count, let v = Int(arguments[i + 1]) { vocabs.append(v); i += 1 }
            case "--reps": reps = Int(arguments[i + 1]) ?? reps; i += 1
            case "--save": saveDir = arguments[i + 1]; i += 1
            case "--dump": dumpPath = arguments[i + 1]; i += 1
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
                report(["what": "lathe.train", "vocab": vocab, "threads": threads, "train_s_median": round3(seconds), "foreign_cores_median": round3(lastForeignCores)])
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
                if let dumpPath, threads == 1 {
                    // Per-chunk ids, for a parity check against HF on the same chunks.
                    let data = Data(BenchJSON.value(ids.map { $0.map(Int.init) }).compact().utf8)
                    try? data.write(to: URL(fileURLWithPath: "\(dumpPath)\(vocab).json"))
                }
                report([
                    "what": "lathe.encodeBatch", "vocab": vocab, "threads": threads, "tokens": tokens,
                    "bytes_per_token": round3(Double(bytes.count) / Double(tokens)), "roundtrip_ok": roundTrip,
                    "mb_s_median": round3(Double(bytes.count) / seconds / 1e6), "foreign_cores_median": round3(lastForeignCores),
                ])
            }
        }
    }

    /// The same pieces as bench_tok.py's `chunks_of`: Python `splitlines(keepends=True)` lines
    /// (all of Python's line breaks, `\r\n` as one) joined until a piece reaches `size` characters.
    static func chunk(_ bytes: [UInt8], size: Int = 4096) -> [[UInt8]] {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        var chunks: [[UInt8]] = []
        var current = String.UnicodeScalarView()
        var length = 0
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            current.append(s)
            length += 1
            i += 1
            var endOfLine = breaks.contains(s.value)
            if s.value == 0x0D, i < scalars.count, scalars[i].value == 0x0A {
                current.append(scalars[i])
                length += 1
                i += 1
            }
            if i == scalars.count { endOfLine = true }
            if endOfLine && length >= size {
                chunks.append(Array(String(current).utf8))
                current = String.UnicodeScalarView()
                length = 0
            }
        }
        if !current.isEmpty { chunks.append(Array(String(current).utf8)) }
        return chunks
    }

    /// Median wall seconds of `reps` runs after one warm-up. Also records, per run, how many
    /// cores *other* processes kept busy meanwhile (`/proc/stat` busy time minus our own CPU
    /// time), the contention measure of `shared/bench/engine/contention.py`; the median goes to
    /// `lastForeignCores`.
    static func median(reps: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        var foreign: [Double] = []
        for _ in 0..<reps {
            let busy0 = systemBusySeconds()
            let own0 = ownCPUSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            times.append(wall)
            foreign.append(max(0, (systemBusySeconds() - busy0) - (ownCPUSeconds() - own0)) / wall)
        }
        lastForeignCores = foreign.sorted()[foreign.count / 2]
        return times.sorted()[times.count / 2]
    }

    nonisolated(unsafe) static var lastForeignCores = 0.0

    /// Busy CPU seconds of the whole machine so far (all fields of `cpu` but idle and iowait).
    static func systemBusySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first
        else { return 0 }
        let f = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard f.count >= 5 else { return 0 }
        return (f.reduce(0, +) - f[3] - f[4]) / 100  // USER_HZ = 100
    }

    /// This process's user + system CPU seconds.
    static func ownCPUSeconds() -> Double {
        #if canImport(Glibc)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        #else
        return 0
        #endif
    }

    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    static func report(_ fields: [String: Any]) {
        print(BenchJSON.line(fields))
    }
}
