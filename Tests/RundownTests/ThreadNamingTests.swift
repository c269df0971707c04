// SPDX-License-Identifier: Apache-2.0
import Testing

/// Thread names as the tests set them and holder reports read them: too long a name is truncated to what the
/// platform keeps, at a character boundary, on every platform (Darwin refuses a name of 64 bytes or more outright).
@Suite("Thread names")
struct ThreadNamingTests {
    @Test("a long name is truncated at a character boundary, not refused", arguments: ["é", "a", "日", "🧵"])
    func longNamesAreTruncated(character: String) {
        let name = String(repeating: character, count: 100)
        let read = Locked<String?>(nil)
        TestThread {
            nameCurrentThread(name)
            read.withLock { $0 = RundownTestThread.currentThreadName }
        }
        .join()
        let kept = read.withLock { $0 } ?? ""
        #expect(!kept.isEmpty, "the name was not set at all")
        #expect(name.hasPrefix(kept), "kept \(kept.debugDescription)")
        #expect(kept.unicodeScalars.allSatisfy { $0 != "\u{FFFD}" }, "a character was split: \(kept.debugDescription)")
        #expect(kept.utf8.count <= 63)
        // As many whole characters as fit in the platform's limit: adding one more would not have fit.
        #expect(kept.utf8.count + character.utf8.count > maximumThreadNameBytes)
    }

    @Test("a short name is kept whole")
    func shortNamesAreKept() {
        let read = Locked<String?>(nil)
        TestThread {
            nameCurrentThread("worker 7")
            read.withLock { $0 = RundownTestThread.currentThreadName }
        }
        .join()
        #expect(read.withLock { $0 } == "worker 7")
    }
}
