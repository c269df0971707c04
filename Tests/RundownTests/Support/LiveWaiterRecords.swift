import Testing

@testable import Rundown

/// The live waiter records of `rundown` (registered waiters plus kept completion callbacks), to prove that
/// timed-out and cancelled waiters leak nothing; records an issue (and returns 0) for a type that does not keep
/// its generations through the internal `RundownGenerations` protocol.
func liveWaiterRecords(
    _ rundown: any RundownProtection,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Int {
    guard let generations = rundown as? any RundownGenerations else {
        Issue.record("\(type(of: rundown)) does not expose liveWaiterRecords", sourceLocation: sourceLocation)
        return 0
    }
    return generations.liveWaiterRecords
}
