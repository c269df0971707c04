// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// The acquiring task as a holder record keeps it: its address, which tells tasks apart while they live, and its name
/// where the platform has task names.
enum TaskIdentity {
    /// The calling task's address, `nil` outside a task. A few instructions: a thread-local read in the runtime.
    @inline(__always)
    static var current: UnsafeRawPointer? { c_rundown_current_task() }

    /// Copies the calling task's name (`Task(name:)`), cut at a character boundary to at most `capacity` bytes, into
    /// `buffer`, and its length into `buffer[capacity]`; zero bytes for an unnamed task, or where the runtime has no
    /// task names (Apple platforms before their 26 releases).
    static func copyCurrentName(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) {
        var length = 0
        if let name = currentName {
            var utf8 = Array(name.utf8.prefix(capacity))
            if utf8.count < name.utf8.count {
                // Drop a character the cut split: continuation bytes, then their lead byte.
                while let last = utf8.last, last & 0xC0 == 0x80 { utf8.removeLast() }
                if let last = utf8.last, last & 0x80 != 0 { utf8.removeLast() }
            }
            utf8.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: $0.count) }
            length = utf8.count
        }
        buffer[capacity] = UInt8(length)
    }

    /// The calling task's name, where the runtime can tell.
    private static var currentName: String? {
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            return Task.name
        }
        return nil
    }
}
