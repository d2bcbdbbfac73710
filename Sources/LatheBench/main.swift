if CommandLine.arguments.dropFirst().first == "pipelines" { PipelineBench.main(Array(CommandLine.arguments.dropFirst(2))) }
print("{}")
