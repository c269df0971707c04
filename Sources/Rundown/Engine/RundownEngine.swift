// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Run-down protection as a value you embed, the way you embed a `Mutex` or an `Atomic`: 16 bytes, no allocation.
///
/// The engine is everything run-down protection is, except the guard: acquire and release (the closure form
/// ``RundownProtecting/withProtection(fileID:line:function:_:)`` and the unguarded pair), beginning run-down,
/// blocking, `async` and timed waits, completion callbacks, re-initialization and the state: every member of
/// ``RundownProtecting``. Store it as a `let` in your own final class, next to what it protects:
///
/// ```swift
/// final class Connection: Sendable {
///     private let rundown = RundownEngine()
///     private let socket: Socket
///
///     func send(_ bytes: [UInt8]) throws {
///         try rundown.withProtection { socket.write(bytes) }
///     }
///
///     func close() async {
///         await rundown.waitForRundown()   // refuses new sends, waits for those in flight
///         socket.close()
///     }
/// }
/// ```
///
/// ## Embed the engine, or use ``RundownRef``?
/// Embed the engine when the protected object is already a class of yours: it adds 16 bytes to it and no
/// allocation, and the closure form costs exactly what it costs on ``RundownRef``. Use ``RundownRef``
/// when you need a ``RundownGuard``: a guard may outlive the scope that acquired it (it can be stored, or sent to
/// another task), so it must keep what it releases into alive, and only an object can be kept alive. The engine is
/// non-copyable and has no identity of its own, so it has no guard.
///
/// ## Cost
/// One 64-bit atomic word (its layout is in <doc:Design>) and one lazily allocated reference to the slow path's side
/// table: 16 bytes. Acquire is a load and one compare-and-swap (retried only under contention), release one atomic
/// subtract; no lock, no allocation, no reference counting. The side table and what it holds (the waiter store: a
/// pthread mutex, condition variable and waiter records) are created only when a wait actually has to block or a
/// callback has to be kept (or, for cancellable holders and holder records, when those are used). Under
/// contention from many cores the one word's cache line moves between them; use ``CacheAwareRundownRef`` for the
/// few objects that every core hits.
///
/// ## Memory ordering
/// A successful acquisition is an *acquiring* operation: everything done before the last
/// ``RundownProtecting/reInitialize()`` (or `init`) is visible to the holder. A release is a *releasing* operation:
/// everything the holder did happens-before any wait returning and any completion callback running.
/// ``RundownProtecting/reInitialize()`` is *releasing*.
///
/// ## Lifetime
/// The engine must stay alive while any holder, waiter or callback uses it, exactly as a `Mutex` must while it is
/// locked. Embedded as a `let` in a class, that is automatic: every call borrows the class instance.
public struct RundownEngine: ~Copyable, Sendable {
    /// The one word of state; see ``RundownWord`` for its layout.
    @usableFromInline
    let word: Atomic<UInt64>

    /// The slow path's side table, allocated by the first wait that has to block, callback that has to be kept or
    /// cancellable holder, or at `init` by an engine that records its holders.
    let sideTable: SideTableReference

    /// Creates an engine in the `active(holders: 0)` state: acquisitions succeed. Allocates nothing.
    public init() {
        word = Atomic(RundownWord.opened(generation: 0).rawValue)
        sideTable = SideTableReference()
    }

    /// Creates an engine in the `active(holders: 0)` state that, if `recordingHolders` is `true`, records every
    /// outstanding holder for ``RundownProtecting/holderReport()``: where it acquired (`#fileID`, `#line`,
    /// `#function`), which thread or task, when, and how many units.
    ///
    /// Recording costs each acquisition and release a record written and cleared without a lock or a system call
    /// (see ``RundownHolderReport`` for what a record knows, and `Benchmarks/RESULTS.md` for the measured cost); it is
    /// meant to be left on in production where knowing who blocks a shutdown matters. Without it (`false`, or
    /// ``init()``) the fast paths are exactly those of an engine that has no such feature: the check is the same test
    /// of the loaded word that looks for a begun run-down.
    public init(recordingHolders: Bool) {
        self.init(recordingHolders: recordingHolders, name: nil, kind: "RundownEngine")
    }

    /// Creates a named engine in the `active(holders: 0)` state, recording its holders if `recordingHolders`.
    ///
    /// The name is what the process-wide report (``RundownHolderReport/everyRecordingObject()``) and, with the
    /// `MetricsSupport` trait, the metrics call the object. Allocates the engine's small side table at once.
    public init(name: String, recordingHolders: Bool = false) {
        self.init(recordingHolders: recordingHolders, name: name, kind: "RundownEngine")
    }

    /// An engine whose side table (if it records or has a name) says what kind of object it counts for; with
    /// `reportsMetrics`, a named engine reports metrics (an engine inside a larger object may leave that to it).
    init(recordingHolders: Bool, name: String?, kind: String, reportsMetrics: Bool = true) {
        word = Atomic(RundownWord.opened(generation: 0, recording: recordingHolders).rawValue)
        sideTable = SideTableReference()
        if recordingHolders || name != nil {
            let table = RundownSideTable(
                recordingHolders: recordingHolders,
                name: name,
                kind: kind,
                reportsMetrics: reportsMetrics
            )
            _ = sideTable.storeIfNil(table)
        }
    }

    /// The side table, allocated on first use.
    var slowPath: RundownSideTable {
        sideTable.load()
            ?? sideTable.storeIfNil(
                RundownSideTable(recordingHolders: false, name: nil, kind: "", reportsMetrics: false)
            )
    }

    /// The holder records, if this engine records its holders.
    var recorder: HolderRecorder? { sideTable.load()?.recorder }

    /// The identity the records of this engine's holders are marked with; zero if it does not record.
    @inline(__always)
    var recorderIdentity: UInt { sideTable.withTable { $0?.recorderIdentity ?? 0 } }

    // MARK: Fast path

    /// Adds `units` holders unless run-down has begun. One compare-and-swap (retried only under contention); a
    /// refusal writes nothing. A recording engine leaves the fast path to record the holder at `site`, as `kind`
    /// (the unguarded pair passes ``HolderKind/unguarded``, so that its release forgets this kind of record only).
    ///
    /// - Returns: The token of the acquisition (``HolderToken/unrecorded`` unless recording), `nil` if run-down has
    ///   begun.
    @inlinable
    @inline(__always)
    borrowing func acquire(units: UInt64, site: HolderSite, kind: HolderKind = .scoped) -> HolderToken? {
        let acquired = word.acquireHolders(
            units,
            limit: RundownWord.holderLimit,
            stoppingAt: RundownWord.acquireSlowPathBits
        ) { overflow($0, units: units) }
        return acquired ? .unrecorded : acquireSlowly(units: units, site: site, kind: kind)
    }

    /// Removes `units` holders acquired as `token`. One atomic subtract; only a release during run-down, or of a
    /// recorded holder, leaves the fast path.
    @inlinable
    @inline(__always)
    borrowing func release(units: UInt64, token: HolderToken) {
        if token.isRecorded { forget(token) }
        if let old = word.releaseHolders(units) {
            releasedWhileClosedOrUnderflowed(old, units: units, unguarded: false)
        }
    }

    /// Removes `units` holders acquired by the unguarded pair, which has no token: a recording engine forgets the
    /// newest matching unguarded record after the subtract.
    @inlinable
    @inline(__always)
    borrowing func releaseUnguarded(units: UInt64) {
        if let old = word.releaseHolders(units, slowBits: RundownWord.acquireSlowPathBits) {
            releasedWhileClosedOrUnderflowed(old, units: units, unguarded: true)
        }
    }

    // MARK: Slow path

    @usableFromInline
    @inline(never)
    borrowing func overflow(_ current: UInt64, units: UInt64) -> Never {
        RundownMisuse.report(
            "acquiring \(units / RundownWord.holderUnit) more run-down holders would overflow the holder count "
                + "(\(RundownWord(rawValue: current).holders) inside, \(RundownWord.maximumHolders) at most)"
        )
    }

    /// A release that found the word closed (it may have completed the generation), found fewer holders than it
    /// releases (misuse), or (unguarded) must forget a record.
    @usableFromInline
    @inline(never)
    borrowing func releasedWhileClosedOrUnderflowed(_ old: UInt64, units: UInt64, unguarded: Bool) {
        let oldWord = RundownWord(rawValue: old)
        if unguarded, oldWord.isRecording {
            HolderRecorder.removeUnguarded(units: units, owner: recorderIdentity)
        }
        if old & RundownWord.holderMask < units {
            RundownMisuse.report(
                "run-down protection released without a matching acquire: releasing \(units / RundownWord.holderUnit) "
                    + "while \(oldWord.holders) holders are inside"
            )
        }
        if oldWord.isClosed, old & RundownWord.holderMask == units {
            completeGeneration(afterChanging: oldWord)
        }
    }

    /// The acquisition's slow path: refuses if run-down has begun; otherwise (the engine records) adds the holders
    /// with the same compare-and-swap and records them.
    @usableFromInline
    @inline(never)
    borrowing func acquireSlowly(units: UInt64, site: HolderSite, kind: HolderKind) -> HolderToken? {
        guard word.acquireHolders(units, limit: RundownWord.holderLimit, overflow: { overflow($0, units: units) })
        else {
            metrics?.refused()
            return nil
        }
        let identity = recorderIdentity
        guard identity != 0 else { return .unrecorded }
        if kind == .unguarded { noteUnguardedRecord() }
        return HolderRecorder.add(site: site, units: units, kind: kind, owner: identity)
    }

    /// Tells the recorder that an unguarded holder was recorded (its record may outlive the object).
    borrowing func noteUnguardedRecord() {
        sideTable.withTable { table in
            guard let recorder = table?.recorder, !recorder.hadUnguardedHolders.load(ordering: .relaxed) else { return }
            recorder.hadUnguardedHolders.store(true, ordering: .releasing)
        }
    }

    /// Forgets the record of a recorded holder that is about to release.
    @usableFromInline
    @inline(never)
    borrowing func forget(_ token: HolderToken) {
        HolderRecordSlab.free(token)
    }
}
