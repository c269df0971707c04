// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

// libFuzzer's two entry points; libFuzzer supplies `main`. `RUNDOWN_FUZZ_TRACE=1` writes each input's target and
// steps to standard error as they run: `RUNDOWN_FUZZ_TRACE=1 Fuzz/.build/release/RundownFuzz crash-...` shows what a
// saved input does, up to the step that fails.

/// Whether every step is printed.
private let tracing = environmentValue("RUNDOWN_FUZZ_TRACE") == "1"

/// Reports, once per process, which counting path ``CacheAwareRundownRef`` uses here.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    print("RundownFuzz: CacheAwareRundownRef uses \(CacheAwareRundownRef.processFastPath)")
    return 0
}

/// Runs one input: its first byte picks a ``FuzzTarget``, the rest are its operations.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(UnsafeBufferPointer(start: data, count: size))
    let target = FuzzTarget.all[input.below(FuzzTarget.all.count)]
    if tracing { writeToStandardError("target: \(target)") }
    let trace: ((String) -> Void)? = tracing ? { writeToStandardError($0) } : nil
    target.run(input, log: StepLog(trapsOnFailure: true, trace: trace))
    return 0
}
