import Foundation
import Orchestration
#if canImport(Glibc)
import Glibc
#endif

/// Plain words for a failed file operation, instead of Foundation's raw
/// `Error Domain=NSCocoaErrorDomain Code=… UserInfo={…}` text.
enum FileErrorText {
    /// What went wrong, as a short clause ("permission denied", "a part of the path is a file, not a folder").
    static func describe(_ error: any Error) -> String {
        if let own = error as? OrchestrationError { return own.description }
        let ns = error as NSError
        let posix: Int32? = if ns.domain == NSPOSIXErrorDomain { Int32(ns.code) } else {
            (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
        }
        if let code = posix { return describe(errno: code) }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileWriteFileExists: return "a file or folder of that name is in the way"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "the disk is full"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileWriteInvalidFileName, .fileReadInvalidFileName: return "the name is not a valid file name"
            default: break
            }
        }
        return ns.localizedDescription
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ENOTDIR: "a part of the path is a file, not a folder"
        case EISDIR: "it is a folder, not a file"
        case EEXIST: "a file or folder of that name is in the way"
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        case ENOSPC: "the disk is full"
        case ENOENT: "no such file or folder"
        default: String(cString: strerror(code))
        }
    }
}
