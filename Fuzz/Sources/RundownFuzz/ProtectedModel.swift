// SPDX-License-Identifier: Apache-2.0

/// What a ``RundownProtected`` must do when one driver uses it one step at a time, on one thread.
///
/// Built from the tests' ``ReferenceModel``: each of the object's two slots is a ``RundownEngine``, so each is one
/// reference model. On top of them it keeps what the object adds: which slot is published, whether the object is
/// retired, the values (numbered) in the slots, the parked value, and the deferred handover of a bounded
/// replacement or retirement that gave up, which holds the writers' turn until its slot's last reader leaves.
///
/// A writer that would wait forever on the driver's only thread (for readers the driver itself is inside, or for
/// the turn such a handover holds) is predicted as `nil`, and the model is left unchanged: the driver skips it.
struct ProtectedModel {
    /// What a replacement must return.
    enum Replacement: Equatable {
        case replaced(old: Int)
        case teardownDeferred
        case notInstalled
        case refused
    }

    /// What a retirement must return.
    enum Retirement: Equatable {
        case returned(Int)
        case gaveUp
        case refused
    }

    /// What a completed slot did with its value when its last reader left.
    enum Handover: Equatable {
        case tornDown(Int)
        case parked(Int)
    }

    private(set) var slots = [ReferenceModel(), ReferenceModel()]
    private(set) var published = 0
    private(set) var isRetired = false
    private var values: [Int?]
    private(set) var parked: Int?
    /// The slot whose completion hands its value over, and whether to a parking retirement or to a teardown.
    private var deferred: (slot: Int, parks: Bool)?

    /// A fresh object protecting `initialValue`: slot 0 open, slot 1 idle (its run-down begun and completed).
    init(initialValue: Int) {
        values = [initialValue, nil]
        _ = slots[1].begin()
    }

    /// The readers inside, of both slots.
    var readers: Int { slots[0].holders + slots[1].holders }

    /// The waiter records both slots' engines must have live (the writers' turn has no waiters on one thread).
    var liveRecords: Int { slots[0].liveRecords + slots[1].liveRecords }

    /// The values the object must keep alive: those in its slots and the parked one.
    var liveValues: Int { values.filter { $0 != nil }.count + (parked == nil ? 0 : 1) }

    /// Whether a handover is still owed.
    var owesHandover: Bool { deferred != nil }

    /// A reader enters: the slot and value it reads, or `nil` (refused) once the object is retired.
    mutating func beginRead() -> (slot: Int, value: Int)? {
        guard !isRetired, let value = values[published] else { return nil }
        let accepted = slots[published].acquire(1)
        precondition(accepted, "the published slot stays open until it is replaced or retired")
        return (published, value)
    }

    /// The reader of `slot` leaves; what its slot's completion hands over, if this was its last reader.
    mutating func endRead(slot: Int) -> Handover? {
        guard let completion = slots[slot].release(1), let handover = deferred, handover.slot == slot else {
            return nil
        }
        precondition(completion.callbacks == 1, "a handover is the slot's one completion callback")
        deferred = nil
        let value = take(slot)
        if handover.parks {
            parked = value
            return .parked(value)
        }
        return .tornDown(value)
    }

    /// `replace(with:timeout:teardown:)` with a zero timeout (`bounded`), or `replace(with:)`.
    mutating func replace(with newValue: Int, bounded: Bool) -> Replacement? {
        if deferred != nil { return bounded ? .notInstalled : nil }
        if isRetired { return .refused }
        let old = published
        if !bounded, slots[old].holders > 0 { return nil }
        let new = old ^ 1
        slots[new].reInitialize()
        values[new] = newValue
        published = new
        if slots[old].begin() != nil { return .replaced(old: take(old)) }
        slots[old].registerCallback()
        deferred = (old, false)
        return .teardownDeferred
    }

    /// `retire(timeout:)` with a zero timeout (`bounded`), or `retire()`.
    mutating func retire(bounded: Bool) -> Retirement? {
        if deferred != nil { return bounded ? .gaveUp : nil }
        if let value = parked {
            parked = nil
            return .returned(value)
        }
        if isRetired { return .refused }
        let slot = published
        if !bounded, slots[slot].holders > 0 { return nil }
        isRetired = true
        if slots[slot].begin() != nil { return .returned(take(slot)) }
        slots[slot].registerCallback()
        deferred = (slot, true)
        return .gaveUp
    }

    private mutating func take(_ slot: Int) -> Int {
        guard let value = values[slot] else { preconditionFailure("slot \(slot) holds no value") }
        values[slot] = nil
        return value
    }
}
