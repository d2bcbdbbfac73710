/// The stages of one recipe as a DAG, checked (unique names, known upstreams, no cycle) and in a
/// stable topological order: among stages that are ready together, file order wins.
public struct PipelineGraph: Sendable {
    /// Stages in topological order.
    public let stages: [StageSpec]
    private let indexByName: [String: Int]
    /// Direct dependents per stage name, sorted.
    public let dependents: [String: [String]]

    /// - Throws: ``OrchestrationError`` for a duplicate name, an unknown upstream or a cycle.
    /// - Complexity: O(V + E).
    public init(_ specs: [StageSpec]) throws(OrchestrationError) {
        var position: [String: Int] = [:]
        for (i, spec) in specs.enumerated() {
            guard position[spec.name] == nil else { throw .duplicateStage(spec.name) }
            position[spec.name] = i
        }
        var dependents: [String: [String]] = [:]
        var missing = [Int](repeating: 0, count: specs.count)
        for (i, spec) in specs.enumerated() {
            for up in spec.upstream {
                guard position[up] != nil else { throw .unknownUpstream(stage: spec.name, upstream: up) }
                dependents[up, default: []].append(spec.name)
                missing[i] += 1
            }
        }
        // Kahn's algorithm with a min-heap on file position keeps the order stable and O((V+E) log V).
        var heap = MinHeap()
        for i in specs.indices where missing[i] == 0 { heap.push(i) }
        var order: [StageSpec] = []
        order.reserveCapacity(specs.count)
        while let i = heap.pop() {
            order.append(specs[i])
            for d in dependents[specs[i].name] ?? [] {
                let j = position[d]!
                missing[j] -= 1
                if missing[j] == 0 { heap.push(j) }
            }
        }
        guard order.count == specs.count else {
            throw .cycle(PipelineGraph.findCycle(specs, position: position, missing: missing))
        }
        stages = order
        var index: [String: Int] = [:]
        for (i, s) in order.enumerated() { index[s.name] = i }
        indexByName = index
        self.dependents = dependents.mapValues { $0.sorted() }
    }

    public subscript(name: String) -> StageSpec? { indexByName[name].map { stages[$0] } }

    public var names: [String] { stages.map(\.name) }

    /// `name` and everything that (transitively) reads from it.
    public func downstream(of name: String) -> Set<String> {
        var seen: Set<String> = [name]
        var stack = [name]
        while let n = stack.popLast() {
            for d in dependents[n] ?? [] where seen.insert(d).inserted { stack.append(d) }
        }
        return seen
    }

    /// `name` and everything it (transitively) reads from.
    public func upstream(of name: String) -> Set<String> {
        var seen: Set<String> = [name]
        var stack = [name]
        while let n = stack.popLast() {
            for u in self[n]?.upstream ?? [] where seen.insert(u).inserted { stack.append(u) }
        }
        return seen
    }

    /// `names` and everything they (transitively) read from, in one traversal.
    /// - Complexity: O(V + E), where calling ``upstream(of:)`` per name is O(V · (V + E)) on a chain.
    public func upstream(ofAll names: Set<String>) -> Set<String> {
        var seen = names
        var stack = Array(names)
        while let n = stack.popLast() {
            for u in self[n]?.upstream ?? [] where seen.insert(u).inserted { stack.append(u) }
        }
        return seen
    }

    /// A cycle among the stages Kahn's algorithm could not order, as `a → b → a`.
    static func findCycle(_ specs: [StageSpec], position: [String: Int], missing: [Int]) -> [String] {
        // Walk upstream links from any unordered stage until a stage repeats.
        guard let start = specs.indices.first(where: { missing[$0] > 0 }) else { return [] }
        var path: [String] = []
        var seenAt: [String: Int] = [:]
        var current = specs[start]
        while seenAt[current.name] == nil {
            seenAt[current.name] = path.count
            path.append(current.name)
            guard let next = current.upstream.first(where: { missing[position[$0]!] > 0 }) else { break }
            current = specs[position[next]!]
        }
        let cycle = Array(path[(seenAt[current.name] ?? 0)...]) + [current.name]
        // Upstream links point backwards in data flow; show it as data flows.
        return cycle.reversed()
    }
}
