import Foundation
import FuzzSupport
import Orchestration

/// libFuzzer entry: any bytes either parse as the remote cache entry (`/ac/<key>`) of the fixed key or
/// throw; an accepted entry's every output is a safe relative path with a well-formed SHA-256.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRemoteEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(fuzzBytes(data, size))
    guard let record = try? RemoteEntry.parse(bytes, key: fuzzKey) else { return 0 }
    for (name, file) in record.outputs {
        precondition(!name.hasPrefix("/") && !name.split(separator: "/").contains(".."), "unsafe path accepted: \(name)")
        precondition(ArtifactStore.isKey(file.sha256), "malformed sha256 accepted")
    }
    return 0
}

let fuzzKey = String(repeating: "ab", count: 32)

@main enum Main {
    static func main() { runLibFuzzer(fuzzRemoteEntry) }
}
