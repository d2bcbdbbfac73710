import JSONText

/// What one stage run produced and from what: the body of a store manifest and of a lock entry.
///
/// `schemas/manifest.schema.json` describes its JSON form; a test holds every written manifest to it.
public struct StageRecord: Sendable, Equatable {
    /// One output file: its SHA-256 and size in bytes.
    public struct OutputFile: Sendable, Equatable {
        public var sha256: String
        public var size: Int64
        public init(sha256: String, size: Int64) { self.sha256 = sha256; self.size = size }
    }

    public var key: String
    public var kind: String
    /// The name of the stage that produced it (informational: entries are shared across recipes).
    public var stage: String
    public var params: [String: String]
    public var inputs: [String: String]
    public var upstream: [String: String]
    /// Output files by path relative to the entry's `out/` directory.
    public var outputs: [String: OutputFile]
    /// Digest of the outputs (``ContentHasher/treeDigest(_:)``): what downstream keys include.
    public var outputDigest: String
    /// Headline metrics the stage reported (e.g. `val_loss`), shown in the lock file.
    public var metrics: [String: Double]
    /// Cost: `wall_s`, `peak_rss_mib`, `tokens`, `flops`, `trainable_params`, …
    public var cost: [String: Double]
    /// What computed the result: `cpu` (model name), `blas_kernels` (OpenBLAS family), `threads`; empty in
    /// entries written before it was recorded. Informational, like `cost`: not part of the key or digest.
    public var machine: [String: String]

    public init(
        key: String, kind: String, stage: String, params: [String: String], inputs: [String: String],
        upstream: [String: String], outputs: [String: OutputFile], outputDigest: String,
        metrics: [String: Double] = [:], cost: [String: Double] = [:], machine: [String: String] = [:]
    ) {
        self.key = key
        self.kind = kind
        self.stage = stage
        self.params = params
        self.inputs = inputs
        self.upstream = upstream
        self.outputs = outputs
        self.outputDigest = outputDigest
        self.metrics = metrics
        self.cost = cost
        self.machine = machine
    }

    static let manifestSchema = "lathe.manifest/1"

    /// JSON form; `includeSchema` adds the `schema` tag used by stand-alone manifests.
    func json(includeSchema: Bool) -> JSONValue {
        var o: [String: JSONValue] = [
            "key": .string(key),
            "kind": .string(kind),
            "stage": .string(stage),
            "params": .object(JSONObject(params.mapValues { .string($0) })),
            "inputs": .object(JSONObject(inputs.mapValues { .string($0) })),
            "upstream": .object(JSONObject(upstream.mapValues { .string($0) })),
            "outputs": .object([
                "digest": .string(outputDigest),
                "files": .object(JSONObject(outputs.mapValues { .object(["sha256": .string($0.sha256), "size": .int(Int($0.size))]) })),
            ]),
            "metrics": .object(JSONObject(metrics.mapValues { .double($0) })),
            "cost": .object(JSONObject(cost.mapValues { .double($0) })),
        ]
        if !machine.isEmpty { o["machine"] = .object(JSONObject(machine.mapValues { .string($0) })) }
        if includeSchema { o["schema"] = .string(StageRecord.manifestSchema) }
        return .object(JSONObject(o))
    }

    /// Reads the JSON form back, checking every field's type.
    init(json: JSONValue, path: String) throws(OrchestrationError) {
        func bad(_ why: String) -> OrchestrationError { .malformedRecord(path: path, reason: why) }
        guard let o = json.objectValue else { throw bad("expected a JSON object") }
        func string(_ k: String) throws(OrchestrationError) -> String {
            guard let s = o[k]?.stringValue else { throw bad("field '\(k)' is missing or not a string") }
            return s
        }
        func stringMap(_ k: String) throws(OrchestrationError) -> [String: String] {
            guard let m = o[k]?.objectValue else { throw bad("field '\(k)' is missing or not an object") }
            var out: [String: String] = [:]
            for (name, value) in m {
                guard let s = value.stringValue else { throw bad("'\(k).\(name)' is not a string") }
                out[name] = s
            }
            return out
        }
        func numberMap(_ k: String) throws(OrchestrationError) -> [String: Double] {
            guard let m = o[k]?.objectValue else { return [:] }
            var out: [String: Double] = [:]
            for (name, value) in m {
                guard let d = value.doubleValue else { throw bad("'\(k).\(name)' is not a number") }
                out[name] = d
            }
            return out
        }
        key = try string("key")
        kind = try string("kind")
        stage = try string("stage")
        params = try stringMap("params")
        inputs = try stringMap("inputs")
        upstream = try stringMap("upstream")
        guard let outs = o["outputs"]?.objectValue, let digest = outs["digest"]?.stringValue,
              let files = outs["files"]?.objectValue else { throw bad("field 'outputs' is missing its digest or files") }
        outputDigest = digest
        var parsed: [String: OutputFile] = [:]
        for (name, value) in files {
            guard let sha = value["sha256"]?.stringValue, let size = value["size"]?.intValue, size >= 0 else {
                throw bad("output '\(name)' lacks sha256 or size")
            }
            // An output path that climbs out of the entry would let a forged manifest point anywhere.
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
                throw bad("output '\(name)' is not a relative path inside the entry")
            }
            parsed[name] = OutputFile(sha256: sha, size: Int64(size))
        }
        outputs = parsed
        metrics = try numberMap("metrics")
        cost = try numberMap("cost")
        if o["machine"] != nil { machine = try stringMap("machine") } else { machine = [:] }
    }
}
