// SPDX-License-Identifier: Apache-2.0
/// Hand-rolled run-down protection for `async` code: an actor that counts holders and keeps the run-down waiters'
/// continuations.
actor HolderCountingActor {
    private var holders = 0
    private var closed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func tryAcquire() -> Bool {
        if closed { return false }
        holders += 1
        return true
    }

    func release() {
        holders -= 1
        guard closed, holders == 0 else { return }
        let waiters = self.waiters
        self.waiters = []
        for waiter in waiters {
            waiter.resume()
        }
    }

    func runDown() async {
        closed = true
        guard holders > 0 else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// ``HolderCountingActor`` as a contender: two actor calls per protected no-op.
final class ActorContender: AsyncRundownContender {
    static var label: String { "Actor counting holders" }

    let actor = HolderCountingActor()

    init() {}

    func protectedNoOp() async {
        guard await actor.tryAcquire() else { acquisitionFailed(Self.label) }
        await actor.release()
    }

    func runDown() async {
        await actor.runDown()
    }

    func canAcquire() async -> Bool {
        guard await actor.tryAcquire() else { return false }
        await actor.release()
        return true
    }
}
