import Files
import Foundation
import Modeling
public import Recipes
import Tokenization

/// The ``Recipes/ModelFolderReader`` `lathe validate` and `lathe run` give the recipe loader: model files
/// are read by the modules that own their formats (`HFConfigSummary`, `TokenizerFileSummary`,
/// `PEFTAdapter.baseModelName`), so Recipes parses none.
///
/// Files are read through `RegularFile` (a FIFO or device is refused without blocking) and only up to
/// ``maxBytes``; anything unreadable answers nil and the stage reports it, naming the file, when it runs.
public struct ModelFolderPreflight: ModelFolderReader {
    /// Largest file read (a real `tokenizer.json` is a few MiB).
    public static let maxBytes = 64 << 20

    public init() {}

    public func modelFacts(configFile path: String) -> ModelFolderFacts? {
        guard let bytes = Self.read(path), let summary = HFConfigSummary(json: bytes) else { return nil }
        let architecture: ModelFolderFacts.Architecture
        switch summary.modelType {
        case let type? where HFConfigSummary.encoderModelTypes.contains(type): architecture = .encoder
        case let type? where !HFConfigSummary.decoderModelTypes.contains(type):
            architecture = .unsupported(modelType: type, supported: HFConfigSummary.decoderModelTypes)
        default: architecture = .decoder
        }
        return ModelFolderFacts(architecture: architecture, vocabSize: summary.vocabSize, contextLength: summary.contextLength)
    }

    public func tokenizerSize(tokenizerFile path: String) -> Int? {
        Self.read(path).flatMap(TokenizerFileSummary.idCount(json:))
    }

    public func adapterBase(adapterConfigFile path: String) -> String? {
        Self.read(path).flatMap(PEFTAdapter.baseModelName(configJSON:))
    }

    /// The file's bytes when it is a regular file of at most ``maxBytes``, else nil.
    static func read(_ path: String) -> [UInt8]? {
        // stat first, so an oversized file is never read; RegularFile then refuses anything not regular.
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size <= maxBytes else {
            return nil
        }
        return try? RegularFile.read(path)
    }
}
