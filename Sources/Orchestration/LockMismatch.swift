/// Why an up-to-date stage's lock entry differs from its stored result, in the words of the warning
/// `lathe run` prints before rewriting the entry from the store.
///
/// The usual cause is not damage: a lock file committed on one machine and a result computed on another
/// with other floating-point kernels (another OpenBLAS kernel family, another data-parallel split) have
/// the same key and different output bits. The entry's `machine` says where it was computed.
enum LockMismatch {
    static func describe(stage: String, lockPath: String, entry: StageRecord, stored: StageRecord) -> String {
        let rewrote = "rewrote it from this machine's result."
        guard entry.key == stored.key, entry.outputDigest != stored.outputDigest else {
            return "\(lockPath): the entry of stage '\(stage)' did not match its stored result (damaged or edited by hand); \(rewrote)"
        }
        if entry.machine.isEmpty {
            return "\(lockPath): the entry of stage '\(stage)' has other result bits than this machine computed for the same key; "
                + "it names no machine, so it was recorded by an older lathe or edited by hand; \(rewrote)"
        }
        guard entry.machine != stored.machine else {
            return "\(lockPath): the entry of stage '\(stage)' has other result bits than this machine computed for the same key, "
                + "on the same kind of machine (\(describe(entry.machine))): damaged or edited by hand; \(rewrote)"
        }
        let fix = stored.machine["blas_kernels"] != "Haswell" || entry.machine["blas_kernels"] != "Haswell"
            ? " Set `deterministic: true` on the stage for the same bits on every x86-64 CPU with AVX2 and FMA."
            : ""
        return "\(lockPath): the entry of stage '\(stage)' was recorded on another machine (\(describe(entry.machine))), "
            + "whose result bits differ from this one's (\(describe(stored.machine))); not damaged; \(rewrote)\(fix)"
    }

    /// `AMD Ryzen 9 5950X, OpenBLAS Haswell kernels, 2 threads` from a record's `machine`.
    static func describe(_ machine: [String: String]) -> String {
        var parts: [String] = []
        if let cpu = machine["cpu"] { parts.append(cpu) }
        if let kernels = machine["blas_kernels"] { parts.append("OpenBLAS \(kernels) kernels") }
        if let threads = machine["threads"] { parts.append(threads == "1" ? "1 thread" : "\(threads) threads") }
        for (key, value) in machine.sorted(by: { $0.key < $1.key }) where !["cpu", "blas_kernels", "threads"].contains(key) {
            parts.append("\(key) \(value)")
        }
        return parts.joined(separator: ", ")
    }
}
