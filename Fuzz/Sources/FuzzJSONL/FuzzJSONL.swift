import FuzzSupport
import Datasets
import Foundation

/// One scratch file per process: the dataset readers take a path, so each input is written there.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-fuzz-\(getpid()).jsonl")

/// libFuzzer entry: bytes as a JSON Lines dataset, read as completion records and as
/// input/output records (including labelled segments).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSONL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    writeScratch(Array(bytes), to: scratch.path)
    _ = try? DatasetReader.examples(DatasetSpec(path: scratch, type: .completion))
    _ = try? DatasetReader.examples(DatasetSpec(path: scratch, type: .inputOutput))
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzJSONL) }
}
