// SPDX-License-Identifier: Apache-2.0
// The test target's one door to the C library: this file re-exports it to the whole target, so that no other test
// file imports Glibc, Musl or Darwin itself (`Scripts/check-portability.sh` checks), and holds the few calls whose
// Swift signature differs between the platforms.
@_spi(Testing) import Rundown
@_exported import RundownTestSupport

#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
import ObjectiveC
#else
#error("the tests support Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif

/// A real OS thread; the package's one test-thread helper (also used by the benchmarks).
typealias TestThread = RundownTestThread

/// Sleeps the calling thread briefly: only to give other threads a chance to run, never for correctness.
func yieldBriefly(microseconds: UInt32 = 200) {
    usleep(microseconds)
}

/// The value of the environment variable `name`, if it is set.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Names the calling thread (at most 15 characters on Linux), as holder reports show it.
func nameCurrentThread(_ name: String) {
    RundownTestThread.nameCurrentThread(name)
}

/// The most bytes of a thread's name the platform keeps (its buffer less the terminating zero).
#if canImport(Glibc) || canImport(Musl)
let maximumThreadNameBytes = 15
#elseif canImport(Darwin)
let maximumThreadNameBytes = 63
#else
#error("unsupported platform")
#endif

/// Whether this platform can pin a thread to a CPU; tests that need pinning are skipped where it cannot (Apple
/// platforms have no affinity API).
let canPinThreads = RundownTestThread.canPinThreads

/// What a thread runs when it exits, if it stored one under ``threadExitKey``.
final class ThreadExitAction {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }

    /// Makes `action` run when the calling thread exits.
    static func atThreadExit(_ action: @escaping () -> Void) {
        let result = pthread_setspecific(threadExitKey, Unmanaged.passRetained(ThreadExitAction(action)).toOpaque())
        precondition(result == 0, "pthread_setspecific failed: \(result)")
    }
}

/// A thread-specific storage key whose destructor runs the ``ThreadExitAction`` stored under it when a thread
/// exits. The destructor's parameter is optional on Linux and not on Darwin.
private let threadExitKey: pthread_key_t = {
    var key = pthread_key_t()
    #if canImport(Glibc) || canImport(Musl)
    let result = pthread_key_create(&key) { pointer in
        guard let pointer else { return }
        Unmanaged<ThreadExitAction>.fromOpaque(pointer).takeRetainedValue().run()
    }
    #elseif canImport(Darwin)
    let result = pthread_key_create(&key) { pointer in
        Unmanaged<ThreadExitAction>.fromOpaque(pointer).takeRetainedValue().run()
    }
    #else
    #error("unsupported platform")
    #endif
    precondition(result == 0, "pthread_key_create failed: \(result)")
    return key
}()

/// The instance size the Swift runtime allocates for objects of `type`.
func instanceSize(of type: AnyClass) -> Int {
    #if canImport(Darwin)
    // Every Swift class is also an Objective-C class here; the Objective-C runtime knows its size.
    return class_getInstanceSize(type)
    #elseif canImport(Glibc) || canImport(Musl)
    // Class metadata without Objective-C interop: kind (8), superclass (8), flags (4), instance address point (4),
    // instance size (4), ...
    let metadata = unsafeBitCast(type, to: UnsafeRawPointer.self)
    return Int(metadata.load(fromByteOffset: 24, as: UInt32.self))
    #else
    #error("unsupported platform")
    #endif
}

/// The bytes the allocator handed out for `object` (at least what was asked for).
func allocatedSize(of object: AnyObject) -> Int {
    RundownTestThread.allocatedSize(of: object)
}
