/// Errors of the process group: a missing MPI library, a failed start, a peer that failed.
public enum ClusterError: Error, CustomStringConvertible, Equatable {
    /// Launched by `mpirun`/`srun` with several ranks, but this build has no Open MPI support.
    case notBuiltWithMPI(launcher: String, ranks: Int)
    /// `MPI_Init_thread` failed or could not give the thread level Lathe needs.
    case startFailed(String)
    /// Another rank reported a failure (its message), so this rank stops too.
    case peerFailed(rank: Int, message: String)

    public var description: String {
        switch self {
        case .notBuiltWithMPI(let launcher, let ranks):
            "this lathe was started by \(launcher) as one of \(ranks) ranks, but it was built without Open MPI, so every rank would train alone. Install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev, or run scripts/setup.sh), then rebuild Lathe (touch Package.swift && swift build -c release); see docs/cluster.md."
        case .startFailed(let why):
            "Open MPI did not start: \(why)."
        case .peerFailed(let rank, let message):
            "rank \(rank) failed: \(message)"
        }
    }
}
