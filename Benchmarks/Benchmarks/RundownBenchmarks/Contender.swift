// SPDX-License-Identifier: Apache-2.0
/// Something measured by the synchronous throughput benchmarks: ``protectedNoOp()`` in a loop.
protocol SyncContender: AnyObject, Sendable {
    /// The contender's name in benchmark names and in the comparison table.
    static var label: String { get }

    /// Creates an open object (acquisitions succeed).
    init()

    /// Acquires protection and releases it at once; traps if the acquisition fails.
    func protectedNoOp()
}

/// A synchronous contender that is real run-down protection: the code a developer would write for it.
///
/// An acquisition fails once run-down has begun; the release that lets the last holder go wakes the run-down
/// waiter.
protocol SyncRundownContender: SyncContender {
    /// Closes the object to new holders and waits until the current ones have left.
    func runDown()

    /// Whether an acquisition succeeds now (it is released at once).
    func canAcquire() -> Bool
}

/// Something measured by the asynchronous throughput benchmarks: ``protectedNoOp()`` in a loop, in tasks.
protocol AsyncContender: AnyObject, Sendable {
    /// The contender's name in benchmark names and in the comparison table.
    static var label: String { get }

    /// Creates an open object (acquisitions succeed).
    init()

    /// Acquires protection and releases it at once; traps if the acquisition fails.
    func protectedNoOp() async
}

/// An asynchronous contender that is real run-down protection.
protocol AsyncRundownContender: AsyncContender {
    /// Closes the object to new holders and waits until the current ones have left.
    func runDown() async

    /// Whether an acquisition succeeds now (it is released at once).
    func canAcquire() async -> Bool
}

/// The measured loop of the synchronous throughput benchmarks.
///
/// Not inlined into its caller, so every contender runs the same loop; specialized for each contender, so
/// ``SyncContender/protectedNoOp()`` is inlined into it.
@inline(never)
func runProtectedNoOps<Contender: SyncContender>(_ contender: Contender, count: Int) {
    for _ in 0..<count {
        contender.protectedNoOp()
    }
}

/// The measured loop of the asynchronous throughput benchmarks.
@inline(never)
func runProtectedNoOps<Contender: AsyncContender>(_ contender: Contender, count: Int) async {
    for _ in 0..<count {
        await contender.protectedNoOp()
    }
}

/// Traps unless `Contender` behaves as run-down protection: acquisitions succeed while open, a run-down with no
/// holders returns at once, and acquisitions fail afterwards. Run once per contender when benchmarks register.
func checkRundownSemantics<Contender: SyncRundownContender>(of _: Contender.Type) {
    let contender = Contender()
    precondition(contender.canAcquire(), "\(Contender.label): acquisition failed on an open object")
    contender.protectedNoOp()
    contender.runDown()
    precondition(!contender.canAcquire(), "\(Contender.label): acquisition succeeded after run-down")
}

/// The asynchronous counterpart of ``checkRundownSemantics(of:)``.
func checkRundownSemantics<Contender: AsyncRundownContender>(of _: Contender.Type) async {
    let contender = Contender()
    let acquiredWhileOpen = await contender.canAcquire()
    precondition(acquiredWhileOpen, "\(Contender.label): acquisition failed on an open object")
    await contender.protectedNoOp()
    await contender.runDown()
    let acquiredAfterRunDown = await contender.canAcquire()
    precondition(!acquiredAfterRunDown, "\(Contender.label): acquisition succeeded after run-down")
}

/// Reports a failed acquisition inside a measured loop, where it can only be a bug.
func acquisitionFailed(_ label: String) -> Never {
    fatalError("\(label): acquisition failed while the object is open")
}
