// SPDX-License-Identifier: Apache-2.0
// EXPECT-ERROR: 'acquired' consumed more than once
// `release()` consumes the guard: releasing it a second time does not compile.
import Rundown

func releaseTwice(_ rundown: CacheAwareRundownRef) throws {
    let acquired = try rundown.tryAcquire(count: 2)
    acquired.release()
    acquired.release()
}
