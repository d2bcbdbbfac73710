import Foundation

/// Runs the Python peers (transformers, PEFT, tokenizers) that parity tests compare against.
public enum Python {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    /// Runs `python3 arguments…` and returns stdout; throws with stderr on failure and names the pip
    /// package to install when a module is missing.
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let drain = PipeDrain(out, err)
        process.waitUntilExit()
        let (stdout, stderr) = drain.wait()
        if let range = stderr.range(of: "No module named '") {
            let module = stderr[range.upperBound...].prefix { $0 != "'" }
            throw Failure(message: "python3 lacks the '\(module)' package: run scripts/setup.sh")
        }
        guard process.terminationStatus == 0 else {
            throw Failure(message: "python3 exited with \(process.terminationStatus): \(stderr)")
        }
        return stdout
    }
}
