// SPDX-License-Identifier: Apache-2.0
// EXPECT-COMPILES
// The control: correct uses of the API the other cases misuse. Compiling it proves that the command line finds the
// module, so that the other cases fail for their own reason.
import Rundown

final class Service: Sendable {
    let rundown = RundownEngine()
}

func holdAndRelease(_ rundown: RundownRef) throws -> Int {
    let acquired = try rundown.tryAcquire()
    let count = acquired.count
    acquired.release()
    return count
}

func moveTheGuard(_ rundown: CacheAwareRundownRef) throws -> Int {
    let first = try rundown.tryAcquire(count: 2)
    let second = first  // a move, not a copy: `first` is not used again
    return second.count
}

func generic(_ rundown: some RundownProtection) throws -> Int {
    try rundown.withProtection { 1 }
}

func embedded(_ service: Service) async throws -> Int {
    let value = try service.rundown.withProtection { 2 }
    await service.rundown.waitForRundown()
    return value
}

func blockingFromSynchronousCode(_ service: Service) {
    service.rundown.waitForRundown()
}
