import FuzzSupport
import SafeTensors

/// libFuzzer entry: any bytes either parse as a validated safetensors file or throw; a parsed
/// file's every tensor must be readable as floats (the offsets were validated, so no trap).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let file = try? SafeTensorsFile(bytes: bytes, source: "fuzz.safetensors") else { return 0 }
    for info in file.tensors {
        _ = try? file.floats(info.name)
    }
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzSafeTensors) }
}
