public import Foundation

/// FNV-1a, 64-bit: a fast checksum for private scratch files (checkpoints, the encoded-dataset cache)
/// that detects damage — a flipped byte, a truncation — not tampering (published results carry SHA-256).
public enum FNV1a {
    /// The checksum of `data` as 16 lowercase hex digits.
    /// - Complexity: O(n), one pass.
    public static func hex(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { raw in
            for byte in raw { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
