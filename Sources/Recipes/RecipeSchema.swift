import JSONText

/// The JSON Schema (draft 2020-12) for recipes, generated from `KeyTables` — the same tables the validator
/// uses — so the two cannot drift. A test holds `schemas/recipe.schema.json` byte-equal to `json()`.
public enum RecipeSchema {
    /// Pretty JSON, sorted keys, trailing newline.
    public static func json() -> String { document().rendered() }

    static func document() -> JSONValue {
        var defs: [String: JSONValue] = [:]
        for spec in [KeyTables.dataset, KeyTables.evalDataset, KeyTables.model, KeyTables.replay, KeyTables.samples, KeyTables.slurm] {
            defs[spec.name] = object(spec, extra: [:], required: spec.keys.filter(\.required).map(\.name))
        }
        for kind in StageKind.allCases {
            let spec = KeyTables.keys(for: kind)
            defs["stage-\(kind.rawValue)"] = object(
                spec, extra: ["kind": .object(["const": .string(kind.rawValue), "description": .string("Stage kind.")])],
                required: ["kind"] + spec.keys.filter(\.required).map(\.name))
        }
        defs["stage"] = .object([
            "description": .string("One stage: 'kind' selects which keys apply."),
            "type": .string("object"),
            "required": .array([.string("kind")]),
            "properties": .object(["kind": .object(["enum": .array(StageKind.allCases.map { .string($0.rawValue) })])]),
            "oneOf": .array(StageKind.allCases.map { .object(["$ref": .string("#/$defs/stage-\($0.rawValue)")]) }),
        ])
        var defaultProperties: [String: JSONValue] = [:]
        for kind in StageKind.allCases {
            for key in KeyTables.keys(for: kind).keys where defaultProperties[key.name] == nil {
                properties(of: key, into: &defaultProperties)
            }
        }
        var topLevel: [String: JSONValue] = [:]
        for key in KeyTables.runKeys { properties(of: key, into: &topLevel) }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("recipe.schema.json"),
            "title": .string("Lathe recipe"),
            "description": .string("A pipeline of fine-tuning stages chained by 'from:'. Key names follow Axolotl; "
                + "paths are relative to the recipe file and stay inside the project."),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array([.string("stages")]),
            "properties": .object(JSONObject(topLevel.merging([
                "name": .object(["type": .string("string"), "pattern": .string("^[A-Za-z0-9][A-Za-z0-9._-]*$"),
                                 "description": .string("Recipe name; names the lock file (default: the file name).")]),
                "seed": .object(["type": .string("integer"), "minimum": .int(0), "default": .int(42),
                                 "description": .string("Seed of every stage that does not set its own.")]),
                "defaults": .object([
                    "type": .string("object"), "additionalProperties": .bool(false),
                    "properties": .object(JSONObject(defaultProperties)),
                    "description": .string("Keys merged into every stage whose kind accepts them; a stage's own value wins."),
                ]),
                "stages": .object([
                    "type": .string("object"), "minProperties": .int(1), "maxProperties": .int(RecipeLoader.maxStages),
                    "propertyNames": .object(["pattern": .string("^[A-Za-z0-9_][A-Za-z0-9_-]*$"),
                                              "not": .object(["const": .string("scratch")])]),
                    "additionalProperties": .object(["$ref": .string("#/$defs/stage")]),
                    "description": .string("Stages by name, in the order they are listed."),
                ]),
            ]) { _, table in table })),
            "$defs": .object(JSONObject(defs)),
        ])
    }

    private static func object(_ spec: ObjectSpec, extra: [String: JSONValue], required: [String]) -> JSONValue {
        var props = extra
        for key in spec.keys { properties(of: key, into: &props) }
        return .object([
            "type": .string("object"), "additionalProperties": .bool(false), "description": .string(spec.description),
            "properties": .object(JSONObject(props)), "required": .array(required.map(JSONValue.string)),
        ])
    }

    /// The key's schema, plus one deprecated entry per alias.
    private static func properties(of key: KeySpec, into props: inout [String: JSONValue]) {
        var schema = typeSchema(key.type)
        schema["description"] = .string(key.description)
        if let value = key.defaultValue { schema["default"] = json(value) }
        if let range = key.range { bounds(range, into: &schema, integer: { if case .integer = key.type { true } else { false } }()) }
        props[key.name] = .object(JSONObject(schema))
        for alias in key.aliases {
            var aliasSchema = schema
            aliasSchema["deprecated"] = .bool(true)
            aliasSchema["description"] = .string("The \(alias.source) spelling of '\(key.name)'; use '\(key.name)'.")
            props[alias.name] = .object(JSONObject(aliasSchema))
        }
    }

    private static func typeSchema(_ type: ValueType) -> [String: JSONValue] {
        switch type {
        case .integer: ["type": .string("integer")]
        case .number: ["type": .string("number")]
        case .boolean: ["type": .string("boolean")]
        case .string, .path: ["type": .string("string")]
        case .reference: ["type": .string("string"), "minLength": .int(1)]
        case .enumeration(let values): ["type": .string("string"), "enum": .array(values.map(JSONValue.string))]
        case .list(let element): ["type": .string("array"), "items": .object(JSONObject(typeSchema(element)))]
        case .object(let spec): ["$ref": .string("#/$defs/\(spec.name)")]
        }
    }

    private static func bounds(_ range: NumericRange, into schema: inout [String: JSONValue], integer: Bool) {
        func value(_ number: Double) -> JSONValue { integer ? .int(Int(number)) : .double(number) }
        if let min = range.min { schema[range.minExclusive ? "exclusiveMinimum" : "minimum"] = value(min) }
        if let max = range.max { schema[range.maxExclusive ? "exclusiveMaximum" : "maximum"] = value(max) }
    }

    private static func json(_ value: CheckedValue) -> JSONValue {
        switch value {
        case .int(let number): .int(number)
        case .number(let number): .double(number)
        case .bool(let flag): .bool(flag)
        case .string(let text): .string(text)
        case .ref(.scratch): .string("scratch")
        case .ref(.stage(let text)), .ref(.path(let text)): .string(text)
        case .list(let items): .array(items.map(json))
        case .object(let fields): .object(JSONObject(fields.mapValues(json)))
        }
    }
}
