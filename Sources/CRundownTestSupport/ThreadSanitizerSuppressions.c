// SPDX-License-Identifier: Apache-2.0
//
// The ThreadSanitizer suppressions of every binary that links this target (the tests, the benchmarks, the fuzzer).
// The ThreadSanitizer runtime asks for them at start-up through its weak hook `__tsan_default_suppressions`; in a
// binary built without ThreadSanitizer nothing calls this function.
//
// One suppression, for a false positive of the Swift concurrency runtime, not of this package: a continuation that is
// resumed before its task has reached the `await` (a waiter hands its continuation to the waiter store inside
// `withUnsafeContinuation`'s body, and a release on another thread completes the generation at once). The runtime
// then finds the continuation already resumed in `swift_continuation_await` and continues the task directly, on an
// acquiring load of the continuation's status, without telling ThreadSanitizer (it annotates only the path that
// enqueues the task). The resumer's write of the result into the task's context (inside
// `UnsafeContinuation.resume(returning:)`) and the task's read of it are ordered, but ThreadSanitizer does not see
// the order and reports a race on the result. The pattern matches only reports with a frame inside
// `UnsafeContinuation.resume(returning:)` (mangled `$sScc6resume9returning...`; a suppression pattern matches
// anywhere in the frame's function name, and a `$` in it would mean "end of name", hence no `$`), the
// compiler-generated write of the result: a race on anything else, this package's state included, is still
// reported.
const char *__tsan_default_suppressions(void);

const char *__tsan_default_suppressions(void) {
    return "race:sScc6resume9returning\n";
}
