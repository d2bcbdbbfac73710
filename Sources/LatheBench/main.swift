if CommandLine.arguments.dropFirst().first == "tokenizer" {
    TokenizerBench.run(Array(CommandLine.arguments.dropFirst(2)))
} else {
    print("{}")
}
