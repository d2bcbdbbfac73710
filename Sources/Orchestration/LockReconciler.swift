import Foundation

/// Owns the lock file across one run: reads the previous one before anything runs and builds the
/// next one from this run's results once everything has finished.
///
/// The lock file is a record, not a source of truth: keys are recomputed from the recipe and results
/// come from the store, so a damaged lock file is replaced by this run's, never believed (a warning
/// says so). The new lock keeps the last result of every stage still in the recipe: this run's for the
/// selected stages it resolved, the old entry for the rest.
struct LockReconciler {
    let url: URL
    let recipe: String
    /// The lock file as found (empty when missing or damaged).
    let old: LockFile
    /// Set when the file on disk was damaged and ignored.
    let damaged: String?

    /// Reads `url`; a damaged file yields an empty lock and a warning, never an error.
    init(url: URL, recipe: String) {
        self.url = url
        self.recipe = recipe
        do {
            old = try LockFile.read(from: url, recipe: recipe)
            damaged = nil
        } catch {
            old = LockFile(recipe: recipe)
            let why = if case .malformedRecord(_, let reason) = error { reason } else { error.description }
            let cause = why.components(separatedBy: ". Delete ").first ?? why  // drop the hint: this run does it
            damaged = "\(url.path) is damaged (\(cause)); this run ignored it and rewrote it from the store."
        }
    }

    /// The lock after a run, and a warning for every up-to-date stage whose old entry differed from its
    /// stored record (recorded on another machine, or damaged or edited by hand: ``LockMismatch`` says which).
    /// - Parameters:
    ///   - records: every stage resolved this run, by name.
    ///   - upToDate: the stages found up to date.
    func reconcile(
        graph: PipelineGraph, selected: Set<String>, records: [String: StageRecord], upToDate: [String]
    ) -> (lock: LockFile, warnings: [String]) {
        var lock = LockFile(recipe: recipe)
        for spec in graph.stages {
            if let record = records[spec.name], selected.contains(spec.name) {
                var entry = record
                entry.stage = spec.name
                lock.stages[spec.name] = entry
            } else if let previous = old.stages[spec.name] {
                lock.stages[spec.name] = previous
            }
        }
        var warnings: [String] = []
        for name in upToDate {
            if let previous = old.stages[name], let new = lock.stages[name], previous != new {
                warnings.append(LockMismatch.describe(stage: name, lockPath: url.path, entry: previous, stored: new))
            }
        }
        return (lock, warnings)
    }

    /// Writes `lock` when its bytes differ from the file's; true when it wrote.
    func write(_ lock: LockFile) throws(OrchestrationError) -> Bool { try lock.write(to: url) }
}
