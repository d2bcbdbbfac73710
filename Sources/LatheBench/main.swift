// lathe-bench: throughput benchmarks that print one JSON object per result.
// Subcommands live in their own files (EngineBench.swift, TokenizerBench.swift, …) and register in `commands`.
import Compute
import Foundation

let commands: [String: ([String]) -> Int32] = [
    "engine": EngineBench.run,
    "model": ModelBench.run,
    "tokenizer": { TokenizerBench.run($0); return 0 },
    "pipelines": { PipelineBench.main($0) },
    "quality": QualityBench.run,
    "gguf": GGUFBench.run,
    "mpi": MPIBench.run,
]

BLASCore.selectKernels()
let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let command = commands[name] else {
    let names = commands.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: lathe-bench <\(names)> [options]\n".utf8))
    exit(64)
}
exit(command(Array(args.dropFirst())))
