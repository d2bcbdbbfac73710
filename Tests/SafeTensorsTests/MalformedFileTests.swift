import Foundation
import Testing
@testable import SafeTensors

/// One malformed input and the exact error the reader must report for it.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let id: String
    let bytes: [UInt8]
    let expected: SafeTensorsError
    var testDescription: String { id }
}

private let file = "t.safetensors"
private let w4 = #""w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

private let cases: [MalformedCase] = [
    MalformedCase(id: "empty file", bytes: [], expected: .fileTooSmall(file: file, size: 0)),
    MalformedCase(id: "shorter than the length prefix", bytes: [8, 0, 0], expected: .fileTooSmall(file: file, size: 3)),
    MalformedCase(
        id: "header length past end of file",
        bytes: rawSafeTensors(header: "{}", data: [], claimedLength: 64),
        expected: .headerLengthPastEnd(file: file, claimed: 64, fileSize: 16)),
    MalformedCase(
        id: "100 GB header claim",
        bytes: rawSafeTensors(header: "{}", data: [], claimedLength: 100_000_000_000),
        expected: .headerTooLarge(file: file, claimed: 100_000_000_000, limit: 100_000_000)),
    MalformedCase(
        id: "all-ones header length",
        bytes: rawSafeTensors(header: "{}", data: [], claimedLength: UInt64.max),
        expected: .headerTooLarge(file: file, claimed: UInt64.max, limit: 100_000_000)),
    MalformedCase(
        id: "non-JSON header",
        bytes: rawSafeTensors(header: "{this is not json}", data: []),
        expected: .headerNotJSON(file: file, detail: "expected a string key at header byte 1")),
    MalformedCase(
        id: "header not starting with a brace",
        bytes: rawSafeTensors(header: "[1,2]", data: []),
        expected: .headerNotJSON(file: file, detail: "it does not start with '{'")),
    MalformedCase(
        id: "header with invalid UTF-8",
        bytes: rawSafeTensors(header: "{}", data: []).enumerated().map { $0.offset == 9 ? 0xFF : $0.element },
        expected: .headerNotUTF8(file: file)),
    MalformedCase(
        id: "offsets out of range (truncated data)",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: f32Bytes([1, 2])),
        expected: .offsetsOutOfRange(file: file, tensor: "w", begin: 0, end: 16, dataSize: 8)),
    MalformedCase(
        id: "overlapping offsets",
        bytes: rawSafeTensors(
            header: "{" + w4 + #","x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: f32Bytes([1, 2, 3])),
        expected: .overlappingTensors(file: file, tensor: "x", other: "w")),
    MalformedCase(
        id: "gap between tensors",
        bytes: rawSafeTensors(
            header: "{" + w4 + #","x":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data: f32Bytes([1, 2, 3, 4])),
        expected: .gapInData(file: file, before: "x", gapBegin: 8, gapEnd: 12)),
    MalformedCase(
        id: "trailing bytes after the last tensor",
        bytes: rawSafeTensors(header: "{" + w4 + "}", data: f32Bytes([1, 2, 3])),
        expected: .trailingBytes(file: file, dataEnd: 8, dataSize: 12)),
    MalformedCase(
        id: "unknown dtype",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2])),
        expected: .unknownDType(file: file, tensor: "w", dtype: "F7")),
    MalformedCase(
        id: "shape and size mismatch",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2])),
        expected: .sizeMismatch(file: file, tensor: "w", expectedBytes: 12, actualBytes: 8)),
    MalformedCase(
        id: "shape product overflow",
        bytes: rawSafeTensors(
            header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2])),
        expected: .sizeOverflow(file: file, tensor: "w")),
    MalformedCase(
        id: "reversed offsets",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: f32Bytes([1, 2])),
        expected: .reversedOffsets(file: file, tensor: "w", begin: 8, end: 0)),
    MalformedCase(
        id: "duplicate tensor key",
        bytes: rawSafeTensors(header: "{" + w4 + "," + w4 + "}", data: f32Bytes([1, 2])),
        expected: .duplicateKey(file: file, key: "w")),
    MalformedCase(
        id: "tensor names that differ only in Unicode normalization",
        bytes: rawSafeTensors(
            header: "{\"\u{E9}\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"e\u{301}\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            data: f32Bytes([1, 2])),
        expected: .duplicateKey(file: file, key: "\u{E9}")),
    MalformedCase(
        id: "numeric metadata value",
        bytes: rawSafeTensors(header: #"{"__metadata__":{"format":"pt","step":3},"# + w4 + "}", data: f32Bytes([1, 2])),
        expected: .invalidMetadata(file: file, detail: "the value of 'step' is a number")),
    MalformedCase(
        id: "negative shape",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2])),
        expected: .invalidTensorEntry(file: file, tensor: "w", detail: "\"shape\" holds a value that is not a non-negative integer")),
    MalformedCase(
        id: "fractional offset",
        bytes: rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}"#, data: f32Bytes([1, 2])),
        expected: .invalidTensorEntry(file: file, tensor: "w", detail: "\"data_offsets\" holds a value that is not a non-negative integer")),
    MalformedCase(
        id: "missing dtype",
        bytes: rawSafeTensors(header: #"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2])),
        expected: .invalidTensorEntry(file: file, tensor: "w", detail: "\"dtype\" is missing or not a string")),
    MalformedCase(
        id: "deeply nested header",
        bytes: rawSafeTensors(header: #"{"x":"# + String(repeating: "[", count: 10_000), data: []),
        expected: .headerNotJSON(file: file, detail: "nesting deeper than 64 levels at header byte 68")),
]

@Suite struct MalformedFileTests {
    @Test("each malformed file gives its specific error", arguments: cases)
    func malformedFileGivesItsSpecificError(_ testCase: MalformedCase) {
        #expect(readError(testCase.bytes, source: file) == testCase.expected)
    }

    @Test func errorMessagesNameTheFileTheProblemAndTheFix() {
        let tooLarge = SafeTensorsError.headerTooLarge(file: "m.safetensors", claimed: 100_000_000_000, limit: 100_000_000)
        #expect(tooLarge.description == "m.safetensors: header length 100000000000 bytes exceeds the 100000000-byte limit; "
            + "the file is corrupt or not a safetensors file. Re-export it with the `safetensors` library.")
        let overlap = SafeTensorsError.overlappingTensors(file: "m.safetensors", tensor: "x", other: "w")
        #expect(overlap.description == "m.safetensors: tensors 'w' and 'x' overlap in the data section; the header is "
            + "corrupt. Re-export the file.")
        let range = SafeTensorsError.offsetsOutOfRange(file: "m.safetensors", tensor: "w", begin: 0, end: 16, dataSize: 8)
        #expect(range.description == "m.safetensors: tensor 'w' claims bytes [0, 16) but the data section holds only 8 "
            + "bytes; the file is truncated or its header is corrupt. Re-download or re-export it.")
    }

    @Test func everyTruncationOfAValidFileIsRejected() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.addFloat32("a", shape: [2, 2], values: [1, 2, 3, 4])
        try writer.addFloat32("b", shape: [3], values: [5, 6, 7])
        let bytes = writer.serialize()
        for length in 0..<bytes.count {
            #expect(readError(Array(bytes[0..<length])) != nil, "prefix of \(length) bytes was accepted")
        }
        #expect(readError(bytes) == nil)
    }

    @Test func aReadFromAMissingPathNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/lathe/model.safetensors")
        #expect {
            _ = try SafeTensorsFile.read(contentsOf: url)
        } throws: { error in
            "\(error)".hasPrefix("/nonexistent/lathe/model.safetensors: no such file")
        }
    }

    @Test func zeroSizeTensorsAndScalarsAreAccepted() throws {
        let header = #"{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        let file = try SafeTensorsFile(bytes: rawSafeTensors(header: header, data: f32Bytes([9])))
        #expect(try file.floats("e") == [])
        #expect(try file.floats("s") == [9])
    }
}
