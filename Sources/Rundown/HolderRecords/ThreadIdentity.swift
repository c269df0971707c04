// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// A thread as holder records know it: its id as the system shows it, and its name when the thread first recorded
/// (each costs a system call, so a thread reads them once, when it takes its ``HolderRecordSlab``).
struct ThreadIdentity: Sendable {
    /// The thread's id (`gettid` on Linux, `pthread_threadid_np` on Darwin).
    let id: UInt64
    /// The thread's name when it was read; empty if it had none.
    let name: String

    /// The calling thread.
    static var current: ThreadIdentity {
        var bytes = [CChar](repeating: 0, count: 64)
        c_rundown_thread_name(&bytes, Int32(bytes.count))
        let name = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ThreadIdentity(id: c_rundown_thread_id(), name: name)
    }

    /// `thread <id> "<name>"`, or `thread <id>` for a thread without a name.
    static func describe(id: UInt64, name: String?) -> String {
        guard let name, !name.isEmpty else { return "thread \(id)" }
        return "thread \(id) \"\(name)\""
    }
}
