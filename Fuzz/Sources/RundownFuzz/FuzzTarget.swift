// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// What one input exercises, chosen by its first byte: a public run-down type, its counting path, and whether it
/// records its holders.
///
/// The classes come from the tests' ``RundownFlavor`` (``RundownRef``; ``CacheAwareRundownRef`` on the process's
/// fast path, which is restartable sequences where the system has them, and forced onto atomic slots), plus a
/// one-slot ``CacheAwareRundownRef``: on the restartable-sequence path only CPU 0 has a slot there, and the fuzzer's
/// thread counts in the overflow word whenever it runs on another CPU. Then the embedded ``RundownEngine`` (through
/// ``EngineSubject``) and ``RundownProtected``, its readers on one word or per CPU (through ``ProtectedDriver``).
enum FuzzTarget: CustomStringConvertible {
    case flavor(RundownFlavor, recording: Bool)
    case cacheAwareOneSlot
    case engine(recording: Bool)
    case protected(recording: Bool, perCPU: Bool)

    /// Every target, in the order of the byte that selects it (the byte modulo their number).
    static let all: [FuzzTarget] =
        RundownFlavor.allCases.flatMap { [.flavor($0, recording: false), .flavor($0, recording: true)] }
        + [.cacheAwareOneSlot, .engine(recording: false), .engine(recording: true)]
        + [false, true].flatMap { perCPU in
            [.protected(recording: false, perCPU: perCPU), .protected(recording: true, perCPU: perCPU)]
        }

    /// Runs the rest of `input` on a fresh object of this target.
    func run(_ input: FuzzInput, log: StepLog) {
        let subject: any ModelSubject
        switch self {
        case .flavor(let flavor, let recording):
            subject = modelSubject(recording ? flavor.makeRecording() : flavor.make())
        case .cacheAwareOneSlot: subject = CacheAwareRundownRef(slotCount: 1)
        case .engine(let recording): subject = EngineSubject(recordingHolders: recording)
        case .protected(let recording, let perCPU):
            return ProtectedDriver.run(input, log: log, recordingHolders: recording, perCPUReaders: perCPU)
        }
        FuzzModelDriver(subject: subject, input: input, log: log).run()
    }

    var description: String {
        switch self {
        case .flavor(let flavor, let recording): "\(flavor)\(recording ? ", recording holders" : "")"
        case .cacheAwareOneSlot: "cacheAware with one slot"
        case .engine(let recording): "engine\(recording ? ", recording holders" : "")"
        case .protected(let recording, let perCPU):
            "RundownProtected\(perCPU ? ", per-CPU readers" : "")\(recording ? ", recording holders" : "")"
        }
    }
}
