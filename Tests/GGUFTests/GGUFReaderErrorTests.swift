import Foundation
import Testing
@testable import GGUF

/// Malformed files: each is a `GGUFError` naming the file and the field, never a crash or an allocation
/// sized by the file's own counts.
@Suite struct GGUFReaderErrorTests {
    func open(_ r: RawGGUF) throws(GGUFError) -> GGUFFile { try GGUFFile(bytes: r.bytes, name: "bad.gguf") }

    func error(_ r: RawGGUF) -> GGUFError? {
        do { _ = try open(r); return nil } catch { return error }
    }

    /// A valid file with two metadata entries and a Q8_0 tensor and an F32 tensor.
    func valid() throws -> [UInt8] {
        var w = try GGUFWriter()
        try w.add("general.architecture", .string("llama"))
        try w.add("list", .array(elementType: .int32, values: [.int32(1), .int32(-2)]))
        try w.addTensor("a", shape: [2, 32], values: (0..<64).map { Float($0) / 7 }, type: .q8_0)
        try w.addTensor("b", shape: [3], values: [1, 2, 3], type: .f32)
        return w.bytes()
    }

    @Test("Every truncation of a valid file before its last tensor byte is an error naming the file, never a crash")
    func everyPrefixFails() throws {
        let bytes = try valid()
        let file = try GGUFFile(bytes: bytes, name: "ok.gguf")
        #expect(file.tensors.count == 2 && file.keys == ["general.architecture", "list"])
        // Only the padding after the last tensor may go (gguf-py and llama.cpp do not need it).
        let end = file.dataOffset + file.tensors.map { $0.offset + $0.byteCount }.max()!
        #expect(end < bytes.count)
        #expect(throws: Never.self) { try GGUFFile(bytes: Array(bytes[..<end])) }
        for n in 0..<end {
            do {
                _ = try GGUFFile(bytes: Array(bytes[..<n]), name: "cut.gguf")
                Issue.record("a \(n)-byte prefix opened")
            } catch {
                #expect(error.description.hasPrefix("cut.gguf: "), "\(error)")
            }
        }
    }

    @Test("Bad magic, version 1 and big-endian files are refused with the reason")
    func magicAndVersion() {
        var r = RawGGUF.header(tensors: 0, keys: 0)
        r.bytes[3] = UInt8(ascii: "X")
        #expect(error(r) == .badMagic(file: "bad.gguf", found: Array("GGUX".utf8)))
        #expect(error(.header(version: 1, tensors: 0, keys: 0)) == .unsupportedVersion(file: "bad.gguf", version: 1))
        #expect(error(.header(version: 0x0300_0000, tensors: 0, keys: 0)) == .unsupportedVersion(file: "bad.gguf", version: 0x0300_0000))
        #expect(throws: Never.self) { try open(.header(version: 2, tensors: 0, keys: 0)) }
    }

    @Test("Counts that claim terabytes are refused before anything is allocated")
    func hugeCounts() {
        let kv = error(.header(tensors: 0, keys: 1 << 40))
        #expect(kv == .countTooLarge(file: "bad.gguf", field: "the metadata count", count: 1 << 40, limit: 0))
        let tensors = error(.header(tensors: UInt64.max, keys: 0))
        #expect(tensors == .countTooLarge(file: "bad.gguf", field: "the tensor count", count: UInt64.max, limit: 0))
        var array = RawGGUF.header(tensors: 0, keys: 1)
        array.string("tokens"); array.u32(9); array.u32(8); array.u64(1 << 60)
        guard case let .countTooLarge(_, field, count, _)? = error(array) else { Issue.record("array count accepted"); return }
        #expect(field == "metadata 'tokens' (element count)" && count == 1 << 60)
        var string = RawGGUF.header(tensors: 0, keys: 1)
        string.string("name"); string.u32(8); string.u64(1 << 50)
        guard case let .truncated(_, field2, _, needed, _)? = error(string) else { Issue.record("string length accepted"); return }
        #expect(field2 == "metadata 'name'" && needed == 1 << 50)
    }

    @Test("Unknown value types, duplicate keys, invalid bools, non-UTF-8 strings and deep nesting are refused")
    func metadataErrors() {
        var unknown = RawGGUF.header(tensors: 0, keys: 1)
        unknown.string("k"); unknown.u32(13); unknown.u32(0)
        #expect(error(unknown) == .unknownValueType(file: "bad.gguf", key: "k", type: 13))
        var duplicate = RawGGUF.header(tensors: 0, keys: 2)
        duplicate.string("k"); duplicate.u32(0); duplicate.u8(1)
        duplicate.string("k"); duplicate.u32(0); duplicate.u8(2)
        #expect(error(duplicate) == .duplicateKey(file: "bad.gguf", key: "k"))
        var bool = RawGGUF.header(tensors: 0, keys: 1)
        bool.string("flag"); bool.u32(7); bool.u8(2)
        #expect(error(bool) == .invalidBool(file: "bad.gguf", key: "flag", byte: 2))
        var key = RawGGUF.header(tensors: 0, keys: 1)
        key.raw([0x61, 0xFF, 0xFE]); key.u32(0); key.u8(0)
        #expect(error(key) == .notUTF8(file: "bad.gguf", field: "metadata key #0"))
        var value = RawGGUF.header(tensors: 0, keys: 1)
        value.string("general.name"); value.u32(8); value.raw([0xC3, 0x28])
        #expect(error(value) == .notUTF8(file: "bad.gguf", field: "metadata 'general.name'"))
        var nested = RawGGUF.header(tensors: 0, keys: 1)
        nested.string("deep"); nested.u32(9)
        for _ in 0..<4 { nested.u32(9); nested.u64(1) }
        nested.u32(0); nested.u64(1); nested.u8(0)
        #expect(error(nested) == .nestingTooDeep(file: "bad.gguf", key: "deep", depth: GGUFFile.maxArrayDepth))
        var alignment = RawGGUF.header(tensors: 0, keys: 1)
        alignment.string("general.alignment"); alignment.u32(4); alignment.u32(24)
        #expect(error(alignment) == .invalidAlignment(file: "bad.gguf", detail: "is 24"))
    }

    /// A header with one metadata-free tensor `t` and `dataBytes` zero bytes of data.
    func oneTensor(_ dims: [UInt64], type: UInt32, offset: UInt64, dataBytes: Int, rank: UInt32? = nil) -> RawGGUF {
        var r = RawGGUF.header(tensors: 1, keys: 0)
        r.string("t"); r.u32(rank ?? UInt32(dims.count)); for d in dims { r.u64(d) }; r.u32(type); r.u64(offset)
        r.pad()
        r.bytes.append(contentsOf: repeatElement(0, count: dataBytes))
        return r
    }

    @Test("Tensor infos: shapes, types, blocks, alignment, extents, duplicates and overlaps are checked")
    func tensorErrors() throws {
        #expect(throws: Never.self) { try open(oneTensor([4, 2], type: 0, offset: 0, dataBytes: 32)) }
        #expect(error(oneTensor([4, 2], type: 0, offset: 0, dataBytes: 31))
            == .tensorPastEnd(file: "bad.gguf", tensor: "t", begin: 0, end: 32, dataSize: 31))
        #expect(error(oneTensor([4], type: 0, offset: 8, dataBytes: 64)) == .misalignedTensor(file: "bad.gguf", tensor: "t", offset: 8, alignment: 32))
        #expect(error(oneTensor([4], type: 99, offset: 0, dataBytes: 16)) == .unknownTensorType(file: "bad.gguf", tensor: "t", type: 99))
        #expect(error(oneTensor([33], type: 8, offset: 0, dataBytes: 64))
            == .partialBlock(file: "bad.gguf", tensor: "t", type: "Q8_0", rowLength: 33, blockSize: 32))
        guard case .invalidShape? = error(oneTensor([1, 1, 1, 1, 1], type: 0, offset: 0, dataBytes: 4)) else { Issue.record("5 dims"); return }
        guard case .invalidShape? = error(oneTensor([1 << 40, 1 << 40], type: 0, offset: 0, dataBytes: 4)) else { Issue.record("overflow"); return }
        guard case .tensorPastEnd? = error(oneTensor([4], type: 0, offset: UInt64.max - 31, dataBytes: 16)) else { Issue.record("offset"); return }

        var duplicate = RawGGUF.header(tensors: 2, keys: 0)
        duplicate.tensor("t", [4], type: 0, offset: 0); duplicate.tensor("t", [4], type: 0, offset: 32)
        duplicate.pad(); duplicate.bytes.append(contentsOf: repeatElement(0, count: 64))
        #expect(error(duplicate) == .duplicateTensor(file: "bad.gguf", tensor: "t"))
        var overlap = RawGGUF.header(tensors: 2, keys: 0)
        overlap.tensor("a", [16], type: 0, offset: 0); overlap.tensor("b", [4], type: 0, offset: 32)
        overlap.pad(); overlap.bytes.append(contentsOf: repeatElement(0, count: 64))
        #expect(error(overlap) == .overlappingTensors(file: "bad.gguf", tensor: "b", other: "a"))
    }

    @Test("A tensor type Lathe cannot dequantise is an error naming the tensor and the type")
    func unsupportedType() throws {
        let file = try open(oneTensor([256], type: 16, offset: 0, dataBytes: 66))
        #expect(throws: GGUFError.unsupportedTensorType(file: "bad.gguf", tensor: "t", type: "IQ2_XXS")) { try file.floats("t") }
        #expect(throws: GGUFError.tensorNotFound(file: "bad.gguf", tensor: "u")) { try file.floats("u") }
        #expect(GGUFError.unsupportedTensorType(file: "m.gguf", tensor: "t", type: "IQ2_XXS").description.contains("'t' has type IQ2_XXS"))
    }

    @Test("A file that is not there is an I/O error naming the path")
    func missingFile() {
        #expect(throws: GGUFError.self) { try GGUFFile(contentsOf: URL(fileURLWithPath: "/nonexistent/x.gguf")) }
    }
}
