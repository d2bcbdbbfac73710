import ArgumentParser

/// Exit codes shared by every subcommand (sysexits.h values where one fits).
enum LatheExit {
    static let stageFailed = ExitCode(1)
    static let usage = ExitCode(64)
    static let busy = ExitCode(75)
    /// Started by an MPI launcher, but this build has no Open MPI (EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)
    static let interrupted = ExitCode(130)
}
