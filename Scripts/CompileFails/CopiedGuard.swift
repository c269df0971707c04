// SPDX-License-Identifier: Apache-2.0
// EXPECT-ERROR: 'acquired' used after consume
// A RundownGuard is non-copyable: binding it to a second name moves it, so using the first name again does not
// compile. Two guards releasing the same acquisition cannot exist.
import Rundown

func copyTheGuard(_ rundown: RundownRef) throws {
    let acquired = try rundown.tryAcquire()
    let copy = acquired
    _ = acquired
    _ = copy
}
