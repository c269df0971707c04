import Testing

@testable import Rundown

/// What one run-down object costs in memory.
@Suite("Instance size")
struct InstanceSizeTests {
    @Test("a RundownRef is at most 48 bytes including the object header, with no waiter store until one blocks")
    func rundownRefSize() throws {
        let size = instanceSize(of: RundownRef.self)
        print("RundownRef instance size: \(size) bytes")
        #expect(size <= 48)
        let rundown = RundownRef()
        #expect(rundown.waiterStore.load() == nil)
        rundown.waitForRundown()
        #expect(rundown.waiterStore.load() == nil, "a wait that did not block allocated the waiter store")
        rundown.reInitialize()
        let holder = try rundown.tryAcquire()
        #expect(rundown.waitForRundown(timeout: .milliseconds(1)) == false)
        #expect(rundown.waiterStore.load() != nil)
        holder.release()
    }
}

/// The instance size the Swift runtime allocates for objects of `type`, read from its class metadata.
///
/// Class metadata without Objective-C interop is laid out as: kind/isa (8), superclass (8), flags (4), instance
/// address point (4), instance size (4), ...
func instanceSize(of type: AnyClass) -> Int {
    let metadata = unsafeBitCast(type, to: UnsafeRawPointer.self)
    #if canImport(Darwin)
    let offset = 40  // Objective-C interop adds the cache, vtable and data pointers.
    #else
    let offset = 24
    #endif
    return Int(metadata.load(fromByteOffset: offset, as: UInt32.self))
}
