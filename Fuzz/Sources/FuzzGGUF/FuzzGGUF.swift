import FuzzSupport
import GGUF

/// libFuzzer entry: any bytes either parse as a checked GGUF file or throw; a parsed file's typed
/// tokenizer metadata is read and every tensor of a supported type dequantised (the header checks
/// bound every offset and size, so neither may trap or allocate more than a small multiple of the input).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzGGUF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let file = try? GGUFFile(bytes: bytes, name: "fuzz.gguf") else { return 0 }
    _ = try? file.tokenizer()
    _ = try? file.architecture()
    for info in file.tensors {
        _ = try? file.floats(info.name)
    }
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzGGUF) }
}
