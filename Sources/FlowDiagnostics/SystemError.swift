import Foundation

/// An I/O error in the system's words: the `strerror` text of the POSIX error under a Foundation
/// error (`Is a directory`, `Input/output error`). Foundation's own description of a file error is
/// of no use on Linux ("The operation could not be completed. (NSCocoaErrorDomain error 512.)").
public enum SystemError {
    /// The POSIX error number behind `error`, if there is one: its own, the one Foundation wraps,
    /// or the one a Foundation file-error code stands for.
    public static func code(_ error: any Error) -> Int32? {
        if let posix = error as? POSIXError { return posix.code.rawValue }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return ENOENT
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return EACCES
        case NSFileWriteOutOfSpaceError: return ENOSPC
        case NSFileWriteVolumeReadOnlyError: return EROFS
        case NSFileWriteFileExistsError: return EEXIST
        default: return nil
        }
    }

    /// The `strerror` text of the error's POSIX error; else a plain phrase for a Foundation file
    /// error, or the error's own description.
    public static func reason(_ error: any Error) -> String {
        if let code = code(error) {
            // The size limit a shell put on the files it starts (QA round 43, F11).
            if code == EFBIG { return "File too large: larger than the limit on the files this process may write (`ulimit -f`)" }
            return String(cString: strerror(code))
        }
        let ns = error as NSError
        return ns.domain == NSCocoaErrorDomain ? "the file system refused it" : ns.localizedDescription
    }
}
