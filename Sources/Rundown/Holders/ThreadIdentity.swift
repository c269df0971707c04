// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// The acquiring thread as a holder record keeps it: its id and the bytes of its name, stored inline, so that
/// recording an acquisition allocates nothing for it; it becomes text only when a report is made.
struct ThreadIdentity: Sendable {
    /// The capacity of the name, terminating zero included (Linux names have 16 bytes, Darwin names 64).
    private static let nameCapacity = 64

    /// The thread's id (`gettid` on Linux, `pthread_threadid_np` on Darwin).
    let id: UInt64
    /// The name's bytes, zero-terminated.
    private var name: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    /// The calling thread.
    static var current: ThreadIdentity {
        var identity = ThreadIdentity(id: c_rundown_thread_id())
        withUnsafeMutableBytes(of: &identity.name) { bytes in
            c_rundown_thread_name(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(nameCapacity))
        }
        return identity
    }

    private init(id: UInt64) {
        self.id = id
    }

    /// `thread <id> "<name>"`, or `thread <id>` for a thread without a name.
    var description: String {
        let name = withUnsafeBytes(of: self.name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return name.isEmpty ? "thread \(id)" : "thread \(id) \"\(name)\""
    }
}
