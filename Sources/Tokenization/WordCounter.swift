import Dispatch

/// Counts distinct pre-tokens across documents, in parallel.
enum WordCounter {
    /// Longest word counted whole, in bytes: a longer pre-token (a megabyte line of NUL bytes, a
    /// minified file) is counted as its pieces of at most this many bytes, so no merge — and no
    /// token of the written tokenizer.json — grows past it, and counting costs no more than the text
    /// (HF's BpeTrainer bounds tokens with `max_token_length` for the same reason).
    static let maxWordBytes = 1_024

    /// A piece of one document that starts and ends on a pre-token boundary.
    struct Chunk {
        var document: Int
        var start: Int
        var end: Int
    }

    /// Word → count table over all documents. Equal for any thread count.
    static func count(_ documents: [[UInt8]], threads: Int) -> ByteTable {
        let total = documents.reduce(0) { $0 + $1.count }
        let chunks = split(documents, target: max(1 << 16, total / max(1, threads * 8)))
        let workers = max(1, min(threads, chunks.count))
        var tables = [ByteTable](repeating: ByteTable(), count: workers)
        tables.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer)
            let work: @Sendable (Int) -> Void = { w in
                var table = ByteTable(capacity: 1 << 15)
                var c = w
                while c < chunks.count {
                    let chunk = chunks[c]
                    documents[chunk.document].withUnsafeBufferPointer { doc in
                        let piece = UnsafeBufferPointer(rebasing: doc[chunk.start..<chunk.end])
                        let base = piece.baseAddress!
                        PreTokenizer.split(piece) { start, end in
                            var s = start
                            while s < end {
                                let e = min(end, s + maxWordBytes)
                                let h = ByteTable.hash(base + s, e - s)
                                let (slot, found) = table.find(base + s, e - s, h)
                                if found {
                                    table.values[slot] += 1
                                } else {
                                    _ = table.insert(at: slot, base + s, e - s, h, value: 1)
                                }
                                s = e
                            }
                        }
                    }
                    c += workers
                }
                // Safe because each worker writes only its own index.
                out.value[w] = table
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }
        var merged = tables[0]
        for t in tables.dropFirst() {
            t.arena.withUnsafeBufferPointer { arena in
                for s in 0..<t.hashes.count where t.hashes[s] != 0 {
                    let p = arena.baseAddress! + Int(t.keyStart[s])
                    let len = Int(t.keyLength[s])
                    let (slot, found) = merged.find(p, len, t.hashes[s])
                    if found {
                        merged.values[slot] += t.values[s]
                    } else {
                        _ = merged.insert(at: slot, p, len, t.hashes[s], value: t.values[s])
                    }
                }
            }
        }
        return merged
    }

    /// Cuts documents into chunks of about `target` bytes at safe boundaries: right after a `\n`
    /// that is followed by an ASCII non-space byte. The `\n` always ends a whitespace pre-token
    /// (only U+0020 can join the next word), so splitting there never changes the pre-tokens.
    static func split(_ documents: [[UInt8]], target: Int) -> [Chunk] {
        var chunks: [Chunk] = []
        for (d, doc) in documents.enumerated() where !doc.isEmpty {
            var start = 0
            while start < doc.count {
                var cut = min(doc.count, start + target)
                while cut < doc.count {
                    let b = doc[cut]
                    if doc[cut - 1] == 0x0A && b < 0x80 && b > 0x20 { break }
                    cut += 1
                }
                chunks.append(Chunk(document: d, start: start, end: cut))
                start = cut
            }
        }
        return chunks
    }
}
