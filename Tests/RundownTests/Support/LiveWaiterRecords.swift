@_spi(Testing) import Rundown
// SPDX-License-Identifier: Apache-2.0
import Testing

/// The live waiter records of `rundown` (registered waiters plus kept completion callbacks), to prove that
/// timed-out and cancelled waiters leak nothing.
func liveWaiterRecords(
    _ rundown: any RundownProtection,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Int {
    switch rundown {
    case let plain as RundownRef: return plain.liveWaiterRecordCount
    case let cacheAware as CacheAwareRundownRef: return cacheAware.liveWaiterRecordCount
    default:
        Issue.record("\(type(of: rundown)) has no liveWaiterRecordCount", sourceLocation: sourceLocation)
        return 0
    }
}
