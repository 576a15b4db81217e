import Foundation

/// Plain words for a file error from Foundation, whose own text reads "The operation could not be
/// completed. (NSCocoaErrorDomain error 512.)": the system's reason when the error carries one
/// (`Not a directory`), else a short phrase.
public enum FileErrorText {
    public static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return text(posix.code.rawValue) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return text(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return text(Int32(underlying.code))
        }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return text(ENOENT)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return text(EACCES)
        case NSFileWriteOutOfSpaceError: return text(ENOSPC)
        case NSFileWriteVolumeReadOnlyError: return text(EROFS)
        case NSFileWriteFileExistsError: return text(EEXIST)
        default: return ns.domain == NSCocoaErrorDomain ? "the file system refused it" : ns.localizedDescription
        }
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
