/// Which parameters train. Frozen parameters get no gradient computed and no AdamW state.
///
/// Rules apply in order:
/// 1. `trainableLayers` (LLaMA-Factory `freeze_trainable_layers`): +N makes the last N blocks trainable,
///    −N the first N; everything outside those blocks (embeddings, ln_f) is frozen. nil: everything trains.
/// 2. `unfrozenParameters` (Axolotl `unfrozen_parameters`): regular expressions searched for anywhere in
///    the HF name (Python `re.search`: `h\.1\.mlp` selects `transformer.h.1.mlp.c_fc.weight`; anchor with
///    `^` or `$` to pin an end). Without `trainableLayers`, only matching parameters train; with it,
///    matching parameters train in addition. A pattern that matches no parameter is refused: it is a typo
///    that would otherwise train nothing, or less than asked, and publish the result.
/// 3. `frozenLayers` and `frozenParameters` (same regex rule) freeze whatever they name.
public struct Freezing: Sendable, Hashable, Codable {
    public var trainableLayers: Int?
    public var unfrozenParameters: [String]
    public var frozenLayers: [Int]
    public var frozenParameters: [String]

    public init(trainableLayers: Int? = nil, unfrozenParameters: [String] = [], frozenLayers: [Int] = [], frozenParameters: [String] = []) {
        self.trainableLayers = trainableLayers; self.unfrozenParameters = unfrozenParameters
        self.frozenLayers = frozenLayers; self.frozenParameters = frozenParameters
    }

    /// Everything trains.
    public static let none = Freezing()

    /// One flag per `layout.parameters` entry.
    /// - Throws: `.invalidPattern` for a bad regex, `.invalidHyperparameters` for 0 or out-of-range layer counts.
    public func trainableFlags(layout: ParameterLayout, nLayer: Int) throws(ModelingError) -> [Bool] {
        func compile(_ patterns: [String]) throws(ModelingError) -> [Regex<AnyRegexOutput>] {
            var out: [Regex<AnyRegexOutput>] = []
            for p in patterns {
                do { out.append(try Regex(p)) } catch { throw ModelingError.invalidPattern(p) }
            }
            return out
        }
        let unfrozen = try compile(unfrozenParameters), frozen = try compile(frozenParameters)
        func matches(_ name: String, _ rs: [Regex<AnyRegexOutput>]) -> Bool {
            rs.contains { (try? $0.firstMatch(in: name)) != nil }
        }
        for (pattern, regex) in zip(unfrozenParameters, unfrozen) where !layout.parameters.contains(where: { matches($0.name, [regex]) }) {
            let examples = [layout.parameters.first, layout.parameters.first { $0.layer == 0 && $0.role == .linear }]
                .compactMap { $0?.name }.map { "'\($0)'" }.joined(separator: ", ")
            throw .invalidHyperparameters("unfrozen_parameters pattern '\(pattern)' matches no parameter of this model, so "
                + "it would train nothing it names. Patterns are searched in the HF names, such as \(examples); fix or remove it")
        }
        var layers: Set<Int>?
        if let n = trainableLayers {
            guard n != 0, abs(n) <= nLayer else {
                throw .invalidHyperparameters("freeze_trainable_layers must be between -\(nLayer) and \(nLayer) and not 0, got \(n)")
            }
            layers = n > 0 ? Set((nLayer - n)..<nLayer) : Set(0..<(-n))
        }
        for l in frozenLayers where l < 0 || l >= nLayer {
            throw .invalidHyperparameters("frozen layer \(l) does not exist (the model has layers 0...\(nLayer - 1))")
        }
        return layout.parameters.map { p in
            var on: Bool
            if let layers {
                on = p.layer.map(layers.contains) ?? false
                if matches(p.name, unfrozen) { on = true }
            } else {
                on = unfrozen.isEmpty || matches(p.name, unfrozen)
            }
            if let l = p.layer, frozenLayers.contains(l) { on = false }
            if matches(p.name, frozen) { on = false }
            return on
        }
    }
}
