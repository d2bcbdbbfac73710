import JSONText
import Testing

/// The one parser and writer: what the lock file, records and safetensors headers rely on.
@Suite struct JSONValueParsingTests {
    @Test("Object members keep the order they were written in, and lookups still work")
    func membersKeepFileOrder() throws {
        let value = try JSONValue.parse(#"{"z": 1, "a": 2, "m": {"y": true, "b": null}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.keys == ["y", "b"])
        #expect(value["a"] == .int(2))
        #expect(value.compact(sortingKeys: false) == #"{"z":1,"a":2,"m":{"y":true,"b":null}}"#)
        #expect(value.compact() == #"{"a":2,"m":{"b":null,"y":true},"z":1}"#)
    }

    @Test("Integer literals that fit Int are exact; fractions, exponents, -0 and larger integers are doubles")
    func numbersKeepWhatTheirTextSays() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONValue.parse("-42") == .int(-42))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue.parse("8.0") == .double(8))
        #expect(try JSONValue.parse("1e3") == .double(1000))
        #expect(try JSONValue.parse("-0").nonNegativeInt == nil)
        #expect(try JSONValue.parse("8.0").nonNegativeInt == nil)
        #expect(try JSONValue.parse("8").nonNegativeInt == 8)
        #expect(try JSONValue.parse("-1").nonNegativeInt == nil)
    }

    @Test("Numbers outside RFC 8259's grammar are refused at the byte where they go wrong",
          arguments: [("01", 1), ("1.", 2), (".5", 0), ("+1", 0), ("1e", 2), ("-", 1), ("1e999", 0), ("[1,]", 3)])
    func malformedNumbersAreRefused(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do { _ = try JSONValue.parse(text) } catch { #expect(error.offset == offset, "\(error)") }
    }

    @Test("Keys are compared by their bytes: canonically equal spellings are two members, found by iteration")
    func canonicallyEqualKeysStayApart() throws {
        let value = try JSONValue.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2, \"a\": 3}")
        let members = try #require(value.objectValue)
        #expect(members.count == 3)
        #expect(members.keys.map { Array($0.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81], [0x61]])
        #expect(members.values == [.int(1), .int(2), .int(3)])
        #expect(try JSONValue.parse(value.compact()) == value)
        #expect(Array(value.compact().utf8) == Array("{\"a\":3,\"e\u{301}\":2,\"\u{E9}\":1}".utf8))
        // the same spelling twice is a duplicate, even after a differently spelled equal key
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2, \"e\u{301}\": 3}") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2, \"\u{E9}\": 3}") }
    }

    @Test("A repeated key is an error naming the key, never a silent overwrite")
    func duplicateKeysAreRefused() {
        do {
            _ = try JSONValue.parse(#"{"w": 1, "w": 2}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.duplicateKey == "w")
            #expect(error.offset == 9)
            #expect(error.description == "invalid JSON at byte 9: duplicate key 'w'")
        }
    }

    @Test("Nesting is limited so hostile input cannot exhaust the stack; the limit is the caller's")
    func nestingIsLimited() throws {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let sixtyFour = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue.parse(sixtyFour, maxDepth: 64) != .null)
        do {
            _ = try JSONValue.parse("[" + sixtyFour + "]", maxDepth: 64)
            Issue.record("accepted 65 levels")
        } catch {
            #expect(error.reason == "nesting deeper than 64 levels")
            #expect(error.offset == 64)
        }
    }

    @Test("Strings resolve escapes and surrogate pairs and refuse raw control characters, lone surrogates and bad UTF-8")
    func stringsAreStrict() throws {
        #expect(try JSONValue.parse(#""a\/b\u00e9\ud83d\ude42\n""#) == .string("a/bé🙂\n"))
        for bad in ["\"a\u{01}b\"", #""\ud800""#, #""\ud800\u0041""#, #""\x""#, "\"abc"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("Whatever the writer prints reads back equal, for every kind of value")
    func writerRoundTrips() throws {
        var members: JSONObject = ["b": .int(-3), "a": .double(0.1)]
        members["é"] = .array([.null, .bool(false), .string("x\"\\\u{1F}")])
        members["n"] = .object(["big": .double(1e300), "whole": .double(2), "neg0": .double(-0.0)])
        let value = JSONValue.object(members)
        for text in [value.rendered(), value.compact(), value.compact(sortingKeys: false)] {
            #expect(try JSONValue.parse(text) == value, "\(text)")
        }
        #expect(JSONValue.double(2).compact() == "2.0")
        #expect(JSONValue.double(-0.0).compact() == "-0.0")
        #expect(JSONValue.double(.nan).compact() == "null")
        #expect(JSONValue.object([:]).rendered() == "{}\n")
    }

    @Test("Removing a member drops it from the key order; equality ignores order")
    func objectEditing() {
        var a: JSONObject = ["x": .int(1), "y": .int(2)]
        a["x"] = nil
        #expect(a.keys == ["y"])
        a["x"] = .int(1)
        #expect(a.keys == ["y", "x"])
        #expect(a == ["x": .int(1), "y": .int(2)])
        #expect(a != ["x": .int(1), "y": .int(3)])
    }
}
