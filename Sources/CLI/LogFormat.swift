import ArgumentParser

/// How progress and results are printed.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
