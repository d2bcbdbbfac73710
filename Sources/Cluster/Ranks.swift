#if canImport(CMPI)
import CMPI
#endif
public import Foundation

/// The processes of one `mpirun`/`srun` job (MPI's `MPI_COMM_WORLD`), or this process alone.
///
/// Rank 0 is the writer: it alone owns the store, the lock file and the logs. Every collective here
/// must be called by every rank in the same order, from one thread at a time. Sums use
/// `MPI_Allreduce`; Open MPI's algorithms are chosen by rank count and message size and add in a
/// fixed order for both, so a run is bitwise reproducible for a given rank count, and every rank
/// receives the same bits (IEEE addition is commutative).
///
/// ```swift
/// let world = try Ranks.start()          // once, first thing in main
/// world.sum(gradients, count: n)          // every rank: in-place sum over ranks
/// Ranks.finish(status: 0)                 // MPI_Finalize on success
/// ```
public final class Ranks: @unchecked Sendable {
    /// This process's index, 0 ..< size.
    public let rank: Int
    /// Processes in the job.
    public let size: Int
    private let usesMPI: Bool

    /// This process alone (no MPI calls; every collective is the identity).
    public static let single = Ranks(rank: 0, size: 1, usesMPI: false)

    /// Set once by `start()` before any other thread runs, read afterwards.
    nonisolated(unsafe) private static var started: Ranks?

    /// The job this process belongs to: `start()`'s result, or `single` before it.
    public static var world: Ranks { started ?? single }

    /// Whether this build links Open MPI.
    public static var builtWithMPI: Bool {
        #if canImport(CMPI)
        true
        #else
        false
        #endif
    }

    private init(rank: Int, size: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
    }

    /// Whether this rank writes the store, lock file and logs (rank 0).
    public var isWriter: Bool { rank == 0 }

    /// Whether several processes take part.
    public var isDistributed: Bool { size > 1 }

    /// The launcher that started this process and the rank count it announced, from the environment
    /// Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`), PMIx (`PMIX_RANK` with Slurm's `SLURM_NTASKS`) or
    /// MPICH/Slurm PMI (`PMI_SIZE`) set; nil when started directly.
    public static func launcher(environment env: [String: String] = ProcessInfo.processInfo.environment) -> (name: String, ranks: Int)? {
        if let n = env["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) { return ("mpirun", n) }
        if let n = env["PMI_SIZE"].flatMap(Int.init) { return (env["SLURM_JOB_ID"] == nil ? "an MPI launcher" : "srun", n) }
        if env["PMIX_RANK"] != nil { return (env["SLURM_JOB_ID"] == nil ? "an MPI launcher" : "srun", env["SLURM_NTASKS"].flatMap(Int.init) ?? 2) }
        return nil
    }

    /// Joins the job when a launcher started this process (calls `MPI_Init_thread`), else returns
    /// `single`. Call once, first thing in `main`.
    /// - Throws: ``ClusterError/notBuiltWithMPI(launcher:ranks:)`` under a multi-rank launcher in a
    ///   build without Open MPI; ``ClusterError/startFailed(_:)`` when MPI does not start.
    @discardableResult
    public static func start() throws(ClusterError) -> Ranks {
        if let started { return started }
        guard let launcher = launcher() else { return single }
        #if canImport(CMPI)
        guard lathe_mpi_init() == 0 else { throw .startFailed("MPI_Init_thread could not provide MPI_THREAD_SERIALIZED") }
        let world = Ranks(rank: Int(lathe_mpi_rank()), size: Int(lathe_mpi_size()), usesMPI: true)
        started = world
        return world
        #else
        if launcher.ranks > 1 { throw .notBuiltWithMPI(launcher: launcher.name, ranks: launcher.ranks) }
        return single
        #endif
    }

    /// Leaves the job: `MPI_Finalize` after a successful run, or when every rank knows the run's status
    /// (`together`). After a failure of this rank alone MPI is not finalised (that would wait for ranks
    /// that may be stuck): the process exits non-zero and the launcher stops every other rank.
    public static func finish(status: Int32, together: Bool = false) {
        #if canImport(CMPI)
        guard let started, started.usesMPI, status == 0 || together else { return }
        _ = lathe_mpi_finalize()
        #endif
    }

    /// Stops every rank of the job at once with `status` (`MPI_Abort`); returns only without MPI.
    public func abort(status: Int32) {
        #if canImport(CMPI)
        if usesMPI { lathe_mpi_abort(status) }
        #endif
    }

    /// In-place sum over all ranks of `count` floats at `values`, in chunks of 2^28 (MPI counts are
    /// 32-bit). O(count) bytes sent per rank (Open MPI picks ring or recursive-doubling by size).
    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) {
        #if canImport(CMPI)
        guard usesMPI, size > 1 else { return }
        var done = 0
        while done < count {
            let n = min(count - done, 1 << 28)
            _ = lathe_mpi_sum_floats(values + done, Int32(n))
            done += n
        }
        #endif
    }

    /// Element-wise sum over all ranks of `values` (the same length on every rank). Exact for integers
    /// below 2^53, which is how counts travel.
    public func sum(_ values: [Double]) -> [Double] {
        #if canImport(CMPI)
        guard usesMPI, size > 1, !values.isEmpty else { return values }
        var v = values
        v.withUnsafeMutableBufferPointer { _ = lathe_mpi_sum_doubles($0.baseAddress!, Int32($0.count)) }
        return v
        #else
        return values
        #endif
    }

    /// Whether any rank passed true (a collective OR, for stop decisions every rank must share).
    public func any(_ flag: Bool) -> Bool {
        size > 1 ? sum([flag ? 1 : 0])[0] > 0 : flag
    }

    /// Every rank's `text` (at most 255 UTF-8 bytes, longer is cut), in rank order, on every rank.
    public func allGather(_ text: String) -> [String] {
        guard size > 1 else { return [text] }
        let width = 256
        var slots = [Double](repeating: 0, count: width * size)
        let bytes = Array(text.utf8.prefix(width - 1))
        slots[rank * width] = Double(bytes.count)
        for (i, b) in bytes.enumerated() { slots[rank * width + 1 + i] = Double(b) }
        let all = sum(slots)
        return (0..<size).map { r in
            let n = Int(all[r * width])
            return String(decoding: (0..<n).map { UInt8(all[r * width + 1 + $0]) }, as: UTF8.self)
        }
    }

    /// Rank 0's `bytes` on every rank (others pass anything; ignored). Waits by polling every 2 ms,
    /// so a rank idling here (while rank 0 runs a non-training stage) leaves its core free.
    public func broadcast(_ bytes: [UInt8]) -> [UInt8] {
        #if canImport(CMPI)
        guard usesMPI, size > 1 else { return bytes }
        var length = [UInt8](repeating: 0, count: 8)
        if isWriter { withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { length = Array($0) } }
        length.withUnsafeMutableBytes { buffer in poll { request in lathe_mpi_ibcast(buffer.baseAddress, 8, &request) } }
        let n = Int(length.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        var payload = isWriter ? bytes : [UInt8](repeating: 0, count: n)
        if n > 0 { payload.withUnsafeMutableBytes { buffer in poll { request in lathe_mpi_ibcast(buffer.baseAddress, Int32(n), &request) } } }
        return payload
        #else
        return bytes
        #endif
    }

    /// Waits until every rank arrives (polling, like `broadcast`).
    public func barrier() {
        #if canImport(CMPI)
        guard usesMPI, size > 1 else { return }
        poll { request in lathe_mpi_ibarrier(&request) }
        #endif
    }

    #if canImport(CMPI)
    /// Starts a non-blocking operation and sleeps 2 ms between completion tests.
    private func poll(_ start: (inout MPI_Request?) -> Int32) {
        var request: MPI_Request?
        _ = start(&request)
        var spins = 0
        while lathe_mpi_test(&request) == 0 {
            spins += 1
            if spins > 100 { usleep(2000) }  // short waits stay fast; long ones stop burning a core
        }
    }
    #endif
}
