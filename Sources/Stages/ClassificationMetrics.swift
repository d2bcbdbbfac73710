/// Classification quality of predicted class ids against true ones: accuracy, macro-F1, per-class
/// precision and recall, the confusion matrix, and the majority-class baseline of the same test set
/// (the accuracy of always answering its most frequent true class), which every accuracy is shown next
/// to — a model that answers one label for everything scores exactly the baseline.
///
/// Conventions (scikit-learn's with `zero_division=0`): a class never predicted has precision 0, a class
/// absent from the truth has recall 0, and F1 is 0 when precision + recall is 0; macro-F1 averages F1
/// over every class of the model, present in the test set or not.
public struct ClassificationMetrics: Sendable, Hashable {
    /// `confusion[t][p]`: records of true class t predicted as p.
    public let confusion: [[Int]]
    public let accuracy: Double
    public let macroF1: Double
    public let precision: [Double]
    public let recall: [Double]
    /// Share of the most frequent true class.
    public let majorityBaseline: Double

    /// - Precondition: equal counts, at least one record, every id in `0..<classes`.
    /// - Complexity: O(records + classes²).
    public init(truth: [Int], predicted: [Int], classes: Int) {
        precondition(truth.count == predicted.count && !truth.isEmpty, "one prediction per record, at least one record")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) { m[t][p] += 1 }
        confusion = m
        let n = Double(truth.count)
        accuracy = Double((0..<classes).reduce(0) { $0 + m[$1][$1] }) / n
        let predictedCounts = (0..<classes).map { p in (0..<classes).reduce(0) { $0 + m[$1][p] } }
        let trueCounts = m.map { $0.reduce(0, +) }
        precision = (0..<classes).map { predictedCounts[$0] == 0 ? 0 : Double(m[$0][$0]) / Double(predictedCounts[$0]) }
        recall = (0..<classes).map { trueCounts[$0] == 0 ? 0 : Double(m[$0][$0]) / Double(trueCounts[$0]) }
        let f1 = zip(precision, recall).map { p, r in p + r == 0 ? 0 : 2 * p * r / (p + r) }
        macroF1 = f1.reduce(0, +) / Double(classes)
        majorityBaseline = Double(trueCounts.max() ?? 0) / n
    }

    /// The values for metrics.json: `accuracy`, `macro_f1`, `majority_baseline`, and per label
    /// `precision:LABEL`, `recall:LABEL`, `confusion:TRUE:PREDICTED`.
    public func values(labels: [String]) -> [String: Double] {
        var out: [String: Double] = ["accuracy": accuracy, "macro_f1": macroF1, "majority_baseline": majorityBaseline]
        for (i, label) in labels.enumerated() {
            out["precision:\(label)"] = precision[i]
            out["recall:\(label)"] = recall[i]
            for (j, predicted) in labels.enumerated() { out["confusion:\(label):\(predicted)"] = Double(confusion[i][j]) }
        }
        return out
    }
}
