public import JSONText

/// JSON Schemas (draft 2020-12) of what the runner writes, built from the same field names
/// ``StageRecord`` and ``LockFile`` use. `lathe schema lock|manifest` prints them; a test holds
/// `schemas/*.schema.json` byte-equal to them and validates every record written against them.
public enum RecordSchemas {
    static let sha256: JSONValue = .object(["type": .string("string"), "pattern": .string("^[0-9a-f]{64}$")])

    static func map(of value: JSONValue, description: String) -> JSONValue {
        .object(["type": .string("object"), "description": .string(description), "additionalProperties": value])
    }

    /// The body shared by a manifest and a lock entry.
    static func recordProperties() -> [String: JSONValue] {
        [
            "key": .object(["description": .string("SHA-256 cache key of the stage (salt, kind, params, input hashes, upstream output digests)."),
                            "type": .string("string"), "pattern": .string("^[0-9a-f]{64}$")]),
            "kind": .object(["type": .string("string"), "description": .string("Stage kind, e.g. pretrain-continue.")]),
            "stage": .object(["type": .string("string"), "description": .string("Name of the stage that produced the result (informational).")]),
            "params": map(of: .object(["type": .string("string")]), description: "Resolved params, flattened to dotted keys with canonical text values."),
            "inputs": map(of: sha256, description: "SHA-256 of every input file or directory, by project-root-relative path."),
            "upstream": map(of: sha256, description: "Output digest of every upstream stage, by name."),
            "outputs": .object([
                "type": .string("object"),
                "required": .array([.string("digest"), .string("files")]),
                "additionalProperties": .bool(false),
                "properties": .object([
                    "digest": sha256,
                    "files": map(of: .object([
                        "type": .string("object"),
                        "required": .array([.string("sha256"), .string("size")]),
                        "additionalProperties": .bool(false),
                        "properties": .object(["sha256": sha256, "size": .object(["type": .string("integer"), "minimum": .int(0)])]),
                    ]), description: "Output files by path relative to the entry's out/ folder."),
                ]),
            ]),
            "metrics": map(of: .object(["type": .string("number")]), description: "Headline metrics reported by the stage."),
            "cost": map(of: .object(["type": .string("number")]), description: "Cost figures: wall_s, tokens, flops, peak_rss_mib, trainable_params, …"),
            "machine": map(of: .object(["type": .string("string")]),
                           description: "What computed the result (informational, optional): cpu, blas_kernels, threads."),
        ]
    }

    static let recordRequired: [JSONValue] = ["key", "kind", "stage", "params", "inputs", "upstream", "outputs", "metrics", "cost"].map { .string($0) }

    /// Schema of `artifacts/<xx>/<key>/manifest.json`.
    public static func manifest() -> JSONValue {
        var properties = recordProperties()
        properties["schema"] = .object(["const": .string(StageRecord.manifestSchema)])
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://lathe.dev/schemas/manifest.schema.json"),
            "title": .string("Lathe store entry manifest"),
            "type": .string("object"),
            "required": .array([.string("schema")] + recordRequired),
            "additionalProperties": .bool(false),
            "properties": .object(JSONObject(properties)),
        ])
    }

    /// Schema of `pipelines/<recipe>.lock`.
    public static func lock() -> JSONValue {
        .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://lathe.dev/schemas/lock.schema.json"),
            "title": .string("Lathe lock file"),
            "type": .string("object"),
            "required": .array([.string("schema"), .string("recipe"), .string("stages")]),
            "additionalProperties": .bool(false),
            "properties": .object([
                "schema": .object(["const": .string(LockFile.schemaTag)]),
                "recipe": .object(["type": .string("string"), "description": .string("The recipe's name.")]),
                "stages": .object([
                    "type": .string("object"),
                    "description": .string("The current result of every stage, by stage name."),
                    "additionalProperties": .object([
                        "type": .string("object"),
                        "required": .array(recordRequired),
                        "additionalProperties": .bool(false),
                        "properties": .object(JSONObject(recordProperties())),
                    ]),
                ]),
            ]),
        ])
    }
}
