public import Foundation
import Files

/// Token shard files: llm.c's layout, so llm.c and nanoGPT-style loaders read Lathe's ids.
///
/// A shard is a 1024-byte header of 256 little-endian `Int32`, then `count` little-endian values:
///
/// | header | meaning |
/// |---|---|
/// | `[0]` magic | `20240520` ids as `uint16` (llm.c GPT-2), `20240801` ids as `uint32` (llm.c Llama-3), `20251125` loss mask (`uint8`, 1 = token is a training target), `20251126` document offsets (`uint32`, `count` = documents + 1, first 0, last = token count) |
/// | `[1]` version | 1 for `uint16` ids (llm.c), 7 for `uint32` ids (llm.c), 1 for mask and offsets |
/// | `[2]` count | number of values that follow (< 2³¹) |
/// | `[3]` width | bytes per value: 2, 4, 1 or 4 (Lathe addition; llm.c ignores it) |
/// | `[4...]` | zero |
///
/// The file size must be exactly `1024 + count × width`. A file without a known magic is read as
/// a headerless nanoGPT `uint16` shard (`train.bin`). Next to `NAME.bin` live `NAME.mask.bin` and
/// `NAME.docs.bin` (see ``companion(of:kind:)``).
public struct TokenShard: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case ids, mask, documents
    }

    public static let magicIds16: Int32 = 20_240_520
    public static let magicIds32: Int32 = 20_240_801
    public static let magicMask: Int32 = 20_251_125
    public static let magicDocuments: Int32 = 20_251_126
    static let headerBytes = 1024

    public var kind: Kind
    /// Bytes per value on disk (2 or 4 for ids, 1 for masks, 4 for offsets).
    public var width: Int
    public var values: [UInt32]

    public init(kind: Kind, width: Int, values: [UInt32]) {
        self.kind = kind
        self.width = width
        self.values = values
    }

    /// An id shard stored as `uint16` when every id (and the vocabulary) fits, else `uint32`.
    public static func ids(_ ids: [UInt32], vocabSize: Int) -> TokenShard {
        TokenShard(kind: .ids, width: vocabSize <= 65_536 ? 2 : 4, values: ids)
    }

    /// `NAME.mask.bin` / `NAME.docs.bin` next to `NAME.bin`.
    public static func companion(of url: URL, kind: Kind) -> URL {
        let base = url.deletingPathExtension()
        switch kind {
        case .ids: return url
        case .mask: return base.appendingPathExtension("mask.bin")
        case .documents: return base.appendingPathExtension("docs.bin")
        }
    }

    /// The file bytes: header then values.
    public func encoded() -> Data {
        var header = [Int32](repeating: 0, count: 256)
        switch kind {
        case .ids:
            header[0] = width == 2 ? Self.magicIds16 : Self.magicIds32
            header[1] = width == 2 ? 1 : 7
        case .mask:
            header[0] = Self.magicMask
            header[1] = 1
        case .documents:
            header[0] = Self.magicDocuments
            header[1] = 1
        }
        header[2] = Int32(values.count)
        header[3] = Int32(width)
        var data = Data(capacity: Self.headerBytes + values.count * width)
        header.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: Self.headerBytes)) }
        switch width {
        case 1: data.append(contentsOf: values.map { UInt8(truncatingIfNeeded: $0) })
        case 2:
            let v = values.map { UInt16(truncatingIfNeeded: $0).littleEndian }
            v.withUnsafeBytes { data.append(contentsOf: $0) }
        default:
            let v = values.map { $0.littleEndian }
            v.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes the shard atomically.
    /// - Throws: ``DatasetError/unwritable(path:reason:)``, also when `count` ≥ 2³¹ or an id does
    ///   not fit the width.
    public func write(to url: URL) throws {
        guard values.count < Int(Int32.max) else {
            throw DatasetError.unwritable(path: url.path, reason: "\(values.count) values exceed the header's Int32 count; split the dataset")
        }
        if width == 2, let big = values.first(where: { $0 > UInt32(UInt16.max) }) {
            throw DatasetError.unwritable(path: url.path, reason: "id \(big) does not fit a uint16 shard")
        }
        do {
            try encoded().write(to: url, options: .atomic)
        } catch {
            throw DatasetError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads and validates a shard (or a headerless nanoGPT `uint16` file).
    /// - Parameter root: when given, the file must resolve inside it (see ``DatasetSpec/root``).
    public static func read(_ url: URL, root: URL? = nil) throws -> TokenShard {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(url.path, root: root?.path) } catch {
            throw DatasetError.unreadable(path: url.path, reason: error.reason)
        }
        return try decode(bytes, path: url.path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> TokenShard {
        func int32(_ i: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
        }
        let magic = bytes.count >= headerBytes ? int32(0) : 0
        let kind: Kind
        let width: Int
        switch magic {
        case magicIds16: (kind, width) = (.ids, 2)
        case magicIds32: (kind, width) = (.ids, 4)
        case magicMask: (kind, width) = (.mask, 1)
        case magicDocuments: (kind, width) = (.documents, 4)
        default:
            // Headerless nanoGPT: raw little-endian uint16.
            guard bytes.count % 2 == 0 else {
                throw DatasetError.badShard(path: path, reason: "no Lathe/llm.c header (magic \(magic)) and an odd size \(bytes.count), so not a nanoGPT uint16 file either")
            }
            return TokenShard(kind: .ids, width: 2, values: values(bytes[...], width: 2))
        }
        let count = Int(int32(2))
        guard count >= 0, bytes.count == headerBytes + count * width else {
            throw DatasetError.badShard(path: path, reason: "header says \(count) values of \(width) byte(s), so the file should be \(headerBytes + max(0, count) * width) bytes, but it is \(bytes.count)")
        }
        return TokenShard(kind: kind, width: width, values: values(bytes[headerBytes...], width: width))
    }

    static func values(_ bytes: ArraySlice<UInt8>, width: Int) -> [UInt32] {
        let base = bytes.startIndex
        let n = bytes.count / width
        var out = [UInt32](repeating: 0, count: n)
        for i in 0..<n {
            var v: UInt32 = 0
            for k in 0..<width { v |= UInt32(bytes[base + i * width + k]) << (8 * k) }
            out[i] = v
        }
        return out
    }
}
