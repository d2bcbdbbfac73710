import FuzzSupport
import Datasets
import Foundation

/// One scratch file per process: the dataset readers take a path, so each input is written there.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-fuzz-\(getpid()).json")

/// libFuzzer entry: bytes as an Alpaca or Dolly dataset (a JSON array or JSON Lines), with both
/// prompt templates' code paths.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzInstructionJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    writeScratch(Array(bytes), to: scratch.path)
    _ = try? DatasetReader.examples(DatasetSpec(path: scratch, type: .alpaca))
    _ = try? DatasetReader.examples(DatasetSpec(path: scratch, type: .dolly, template: .alpacaStanford, maxSamples: 3))
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzInstructionJSON) }
}
