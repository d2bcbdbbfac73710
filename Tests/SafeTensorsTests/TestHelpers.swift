import Foundation
@testable import SafeTensors

/// Builds raw safetensors bytes from a literal header, so malformed files can be written exactly.
/// - Parameter pad: pad the header with spaces to a multiple of 8 like the reference writer.
func rawSafeTensors(header: String, data: [UInt8], pad: Bool = true, claimedLength: UInt64? = nil) -> [UInt8] {
    var headerBytes = Array(header.utf8)
    if pad { headerBytes += Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8) }
    let length = claimedLength ?? UInt64(headerBytes.count)
    var out = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
    out += headerBytes
    out += data
    return out
}

/// Little-endian bytes of Float32 values.
func f32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
}

/// Runs `validate` and returns the error it threw, or nil if it accepted the bytes.
func readError(_ bytes: [UInt8], source: String = "t.safetensors") -> SafeTensorsError? {
    do {
        _ = try SafeTensorsFile(bytes: bytes, source: source)
        return nil
    } catch {
        return error
    }
}


/// A fresh empty directory under the system temp directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-st-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
