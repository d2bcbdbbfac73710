import FuzzSupport
import Foundation
import Tokenization

/// libFuzzer entry: bytes as a `tokenizer.json`; a tokenizer that loads must encode and decode a
/// fixed text without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTokenizerJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let json = Data(bytes)
    guard let tokenizer = try? BPETokenizer(tokenizerJSON: json, source: "fuzz/tokenizer.json") else { return 0 }
    let ids = tokenizer.encode("Hello, wörld! <|endoftext|> 123", allowAddedTokens: true)
    _ = tokenizer.decode(ids)
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzTokenizerJSON) }
}
