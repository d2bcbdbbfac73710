/// Placeholder: the Tokenization module lands with its issue.
enum TokenizationModuleMarker {}
