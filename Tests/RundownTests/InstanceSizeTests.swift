@_spi(Testing) import Rundown
// SPDX-License-Identifier: Apache-2.0
import Testing

/// What one run-down object costs in memory.
@Suite("Instance size")
struct InstanceSizeTests {
    @Test("a RundownRef is at most 48 bytes including the object header, with no waiter store until one blocks")
    func rundownRefSize() throws {
        let size = instanceSize(of: RundownRef.self)
        print("RundownRef instance size: \(size) bytes")
        #expect(size <= 48)
        let rundown = RundownRef()
        #expect(!rundown.hasWaiterStore)
        rundown.waitForRundown()
        #expect(!rundown.hasWaiterStore, "a wait that did not block allocated the waiter store")
        rundown.reInitialize()
        let holder = try rundown.tryAcquire()
        #expect(rundown.waitForRundown(timeout: .milliseconds(1)) == false)
        #expect(rundown.hasWaiterStore)
        holder.release()
    }

    @Test("a RundownEngine is at most 16 bytes, the size of NT's EX_RUNDOWN_REF plus a pointer")
    func engineSize() {
        print("RundownEngine size: \(MemoryLayout<RundownEngine>.size) bytes")
        #expect(MemoryLayout<RundownEngine>.size <= 16)
        #expect(MemoryLayout<RundownEngine>.stride <= 16)
    }
}
