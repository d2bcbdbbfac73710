/// The label set of a classification task: names in class-id order, checked against the data.
///
/// Inferred labels are sorted (numerically when every label is an integer, so `2` comes before `10`),
/// the same order on every run and machine; declared labels (`labels:`) keep the recipe's order.
public struct ClassLabels: Sendable, Hashable, Codable {
    /// Label names; the index is the class id (`id2label`).
    public let names: [String]
    private let ids: [String: Int]

    /// Declared labels, or those of `training` sorted.
    /// - Throws: ``DatasetError`` when fewer than two classes result, a declared label repeats, or a
    ///   training record carries a label not declared (naming the record).
    public init(declared: [String]?, training: [LabeledText], path: String) throws(DatasetError) {
        if let declared {
            if let dup = declared.enumerated().first(where: { declared.firstIndex(of: $0.element) != $0.offset }) {
                throw .invalidSpec(path: path, reason: "`labels:` lists '\(dup.element)' twice")
            }
            names = declared
        } else {
            names = Self.sorted(Set(training.map(\.label)))
        }
        ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        if names.count < 2 {
            let only = names.first.map { " ('\($0)')" } ?? ""
            throw .invalidSpec(path: path, reason: "the training data holds one class only\(only); a classifier needs at least two labels. Add records of another class, or check `label_field:`")
        }
        if declared != nil { try check(training, role: "training") }
    }

    /// The class id of `label`, or nil.
    public func id(_ label: String) -> Int? { ids[label] }

    public var count: Int { names.count }

    /// Throws naming the first record of `records` whose label is not one of these.
    public func check(_ records: [LabeledText], role: String) throws(DatasetError) {
        if let bad = records.first(where: { ids[$0.label] == nil }) {
            let (path, line) = Self.split(bad.source)
            throw .badRecord(path: path, line: line, reason: "the \(role) label '\(bad.label)' is not one of the model's labels (\(names.map { "'\($0)'" }.joined(separator: ", "))): "
                             + (role == "training" ? "add it to `labels:`" : "a classifier cannot predict a class it never saw in training; fix the label or train on it"))
        }
    }

    /// Labels sorted as integers when all are integers, else as strings.
    static func sorted(_ labels: Set<String>) -> [String] {
        let ints = labels.compactMap { Int($0) }
        if ints.count == labels.count { return labels.sorted { Int($0)! < Int($1)! } }
        return labels.sorted()
    }

    /// `file:line` → (file, line); `file#record` → (file#record, 0).
    static func split(_ source: String) -> (String, Int) {
        if let colon = source.lastIndex(of: ":"), let line = Int(source[source.index(after: colon)...]) {
            return (String(source[..<colon]), line)
        }
        return (source, 0)
    }

    enum CodingKeys: String, CodingKey { case names }
    public init(from decoder: any Decoder) throws {
        names = try decoder.container(keyedBy: CodingKeys.self).decode([String].self, forKey: .names)
        ids = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(names, forKey: .names)
    }

    /// Labels given in class-id order (e.g. read from a model's `id2label`).
    public init(names: [String]) {
        self.names = names
        ids = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
