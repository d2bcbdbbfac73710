import FuzzSupport
import Datasets
import Foundation

/// Scratch shard and its companions (`.mask.bin`, `.docs.bin` style names come from
/// `TokenShard.companion`), one set per process.
let directory: URL = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-fuzz-shard-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}()
let shard = directory.appendingPathComponent("train.bin")

/// libFuzzer entry: the first byte picks how the rest is split between the shard, its mask and its
/// document offsets (so the companions' cross-checks are fuzzed too); then the shard is read as a
/// `tokenized` dataset.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTokenShard(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let mode = bytes.first ?? 0
    let body = Array(bytes.dropFirst())
    let mask = TokenShard.companion(of: shard, kind: .mask)
    let docs = TokenShard.companion(of: shard, kind: .documents)
    try? FileManager.default.removeItem(at: mask)
    try? FileManager.default.removeItem(at: docs)
    // Split points chosen by the mode byte's two halves.
    // Low nibble 0: the whole body is the shard. Else it ends at nibble/16 of the body, the mask
    // takes the next high-nibble/16 of the rest, and the document offsets (if high nibble ≠ 0) the remainder.
    let low = Int(mode & 0x0F), high = Int(mode >> 4)
    let cutA = low == 0 ? body.count : low * body.count / 16
    let cutB = cutA + high * (body.count - cutA) / 16
    writeScratch(Array(body[..<cutA]), to: shard.path)
    if low != 0 {
        writeScratch(Array(body[cutA..<cutB]), to: mask.path)
        if high != 0 { writeScratch(Array(body[cutB...]), to: docs.path) }
    }
    _ = try? TokenShard.read(shard)
    _ = try? DatasetReader.examples(DatasetSpec(path: shard, type: .tokenized))
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzTokenShard) }
}
