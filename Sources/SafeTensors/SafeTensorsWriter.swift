public import Foundation
import JSONText
import Files

/// Builds a safetensors file from F32 tensors.
///
/// Output matches the reference writer (`safetensors` `prepare`/`serialize`) byte for byte for F32-only
/// files: compact JSON with `__metadata__` first (omitted when empty) and tensors in name order, keys in
/// the order `dtype, shape, data_offsets`, the header padded with spaces to a multiple of 8 so every tensor
/// starts 8-aligned, then the data densely packed in the same order.
public struct SafeTensorsWriter: Sendable {
    private struct Entry: Sendable {
        var shape: [Int]
        var values: [Float]
    }

    private var metadata: [String: String]
    private var entries: [String: Entry] = [:]

    /// - Parameter metadata: the `__metadata__` map; HF tools expect `["format": "pt"]`.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds an F32 tensor (values copied). Names must be unique; element count must match shape.
    public mutating func addFloat32(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>) throws(SafeTensorsError) {
        guard !name.isEmpty, name != "__metadata__" else {
            throw .invalidTensor(tensor: name, detail: "the name is empty or reserved; choose another tensor name")
        }
        guard entries[name] == nil else { throw .duplicateTensorName(tensor: name) }
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw .invalidTensor(tensor: name, detail: "shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalidTensor(tensor: name, detail: "shape \(shape) overflows the element count") }
            count = product
        }
        guard count == values.count else { throw .countMismatch(tensor: name, expected: count, actual: values.count) }
        entries[name] = Entry(shape: shape, values: Array(values))
    }

    /// Adds an F32 tensor from an array (see the buffer overload).
    public mutating func addFloat32(_ name: String, shape: [Int], values: [Float]) throws(SafeTensorsError) {
        try values.withUnsafeBufferPointer { (buffer) throws(SafeTensorsError) in
            try addFloat32(name, shape: shape, values: buffer)
        }
    }

    /// Names added so far, in file order.
    public var names: [String] { entries.keys.sorted(by: String.utf8Precedes) }

    /// Serialized bytes: 8-byte LE header length, JSON header, space padding to a multiple of 8, data.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        emit { out.append(contentsOf: $0) }
        return out
    }

    /// Writes atomically: temp file in the same directory, fsync, rename.
    public func write(to url: URL) throws(SafeTensorsError) {
        do {
            try AtomicFile.write(to: url.path) { (sink) throws(FileError) in
                var failure: FileError?
                emit { chunk in
                    guard failure == nil else { return }
                    do throws(FileError) { try sink(chunk) } catch { failure = error }
                }
                if let failure { throw failure }
            }
        } catch {
            throw .io(path: error.path, detail: error.reason)
        }
    }

    /// Streams the file in pieces (header, then each tensor's bytes) so `write(to:)` never builds one big buffer.
    private func emit(_ sink: (UnsafeRawBufferPointer) -> Void) {
        let order = names
        var header = "{"
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: String.utf8Precedes).map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0]!))" }
            header += "\"__metadata__\":{" + pairs.joined(separator: ",") + "}"
        }
        var offset = 0
        for name in order {
            let entry = entries[name]!  // safe because `order` lists exactly the keys of `entries`
            let end = offset + 4 * entry.values.count
            if header.count > 1 { header += "," }
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header += "\(JSONString.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))
        var prefix = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { prefix[i] = UInt8(truncatingIfNeeded: UInt64(headerBytes.count) >> (8 * i)) }
        prefix.withUnsafeBytes(sink)
        headerBytes.withUnsafeBytes(sink)
        for name in order {
            #if _endian(little)
            entries[name]!.values.withUnsafeBytes(sink)
            #else
            let swapped = entries[name]!.values.map { $0.bitPattern.littleEndian }
            swapped.withUnsafeBytes(sink)
            #endif
        }
    }
}
