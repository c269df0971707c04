import Testing

// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) @testable import Rundown

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

    @Test(
        "a CacheAwareRundownRef's memory footprint is its layout: lines, anchors, objects",
        arguments: [1, 2, 8, 128]
    )
    func cacheAwareFootprintIsTheLayout(slotCount: Int) {
        let rundown = CacheAwareRundownRef(slotCount: slotCount)
        let anchors = rundown.anchors
        let expected =
            (slotCount + 1) * 128 + anchors.count * instanceSize(of: SlotAnchor.self)
            + instanceSize(of: PerCPUStorage.self) + instanceSize(of: CacheAwareRundownRef.self)
            + 4 * MemoryLayout<UInt>.size + anchors.capacity * MemoryLayout<SlotAnchor>.stride
        #expect(rundown.memoryFootprint == expected)
        // What the allocator handed out for each object covers its instance size, and an anchor spans more than
        // two cache-line pairs' worth (so no two anchors' reference counts share a pair).
        #expect(allocatedSize(of: rundown) >= instanceSize(of: CacheAwareRundownRef.self))
        #expect(allocatedSize(of: rundown.storage) >= instanceSize(of: PerCPUStorage.self))
        #expect(anchors.allSatisfy { allocatedSize(of: $0) >= instanceSize(of: SlotAnchor.self) })
        #expect(instanceSize(of: SlotAnchor.self) > 256)
    }
}
