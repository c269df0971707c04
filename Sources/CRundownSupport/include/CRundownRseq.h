// SPDX-License-Identifier: Apache-2.0
// Restartable sequences (rseq) for the per-CPU fast path of CacheAwareRundownRef, Linux only.
//
// A restartable sequence is a short critical section that the kernel aborts, and restarts at its abort handler,
// whenever the thread is preempted, migrated or signalled before the section's last instruction (its commit). A
// section that reads "the current CPU" and then writes that CPU's slot with a plain, unlocked add can therefore never
// interleave with another thread's section on the same CPU: no lock prefix is needed. glibc 2.35 and later register
// an rseq area for every thread it creates and export where it is (__rseq_offset from the thread pointer, __rseq_size
// as registered, 0 if it is not); this header reads those and defines the section in inline assembly for x86-64 and
// aarch64, as static inline functions the Swift optimizer inlines into the caller.
//
// The ABI facts used here, from the Linux UAPI (include/uapi/linux/rseq.h) and glibc (sysdeps/.../bits/rseq.h):
// - struct rseq: u32 cpu_id_start at 0, u32 cpu_id at 4, u64 rseq_cs at 8 (a pointer to the descriptor of the
//   section in progress), u32 flags at 16; 32-byte aligned. cpu_id is (u32)-1 while unregistered, (u32)-2 if
//   registration failed.
// - struct rseq_cs, the descriptor, 32-byte aligned: u32 version (0), u32 flags (0), u64 start_ip,
//   u64 post_commit_offset (end - start), u64 abort_ip.
// - The 4 bytes just before abort_ip must be the signature the thread registered with; glibc registers RSEQ_SIG:
//   0x53053053 on x86-64 (emitted as the operand of a `ud1` so that disassemblers stay in sync), 0xd428bc00 on
//   little-endian aarch64 (the encoding of `brk #0x45e0`).
// - membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ = 1 << 7) restarts every rseq critical section in flight in the
//   process; it needs MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ = 1 << 8 first, once per process (a forked child
//   is not registered until it registers again).
//
// The path is decided once per process (c_rundown_rseq_status) and the Swift side calls these functions only where
// it was: Linux with glibc's rseq registration, on x86-64 or aarch64, not under ThreadSanitizer (which cannot see
// the ordering a membarrier gives). Everywhere else c_rundown_rseq_add is a stub that always answers "no slot".
#ifndef C_RUNDOWN_RSEQ_H
#define C_RUNDOWN_RSEQ_H

#include <stddef.h>
#include <stdint.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define C_RUNDOWN_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define C_RUNDOWN_UNDER_TSAN 1
#endif

// Every other platform (Apple, musl) gets the stubs below, and the Swift side takes the atomic-slot path there
// (c_rundown_rseq_status says why).
// portability: restartable sequences exist only on Linux with glibc's rseq registration
#if defined(__linux__) && defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__)) \
    && !defined(__AARCH64EB__) && !defined(C_RUNDOWN_UNDER_TSAN)
#define C_RUNDOWN_RSEQ_BUILT 1
#else
#define C_RUNDOWN_RSEQ_BUILT 0
#endif

/// What c_rundown_rseq_add returns.
enum {
    /// The delta was added to the slot of the CPU the section ran on.
    C_RUNDOWN_RSEQ_DONE = 0,
    /// The closed flag was set: nothing was written.
    C_RUNDOWN_RSEQ_CLOSED = -1,
    /// This CPU has no slot (its id is not below the slot count, or rseq is not registered for this thread):
    /// nothing was written; the caller takes the atomic overflow word instead.
    C_RUNDOWN_RSEQ_NO_SLOT = -2,
};

/// The stride between two slots, in bytes: two 64-byte cache lines, against adjacent-line prefetch.
#define C_RUNDOWN_SLOT_STRIDE 128

/// The layout c_rundown_rseq_add works on, `lines`: line 0 holds a word whose bit 0 is the closed flag (u64, at
/// offset 0; the caller keeps its overflow count in the other bits) and the slot count (u32, at offset 8); slot `i`'s
/// net count (i64) is at `lines + C_RUNDOWN_SLOT_STRIDE * (i + 1)`. One base address, so that the caller passes (and
/// keeps in a register) one pointer.
#define C_RUNDOWN_RSEQ_FLAG_OFFSET 0
#define C_RUNDOWN_RSEQ_SLOT_COUNT_OFFSET 8

/// Where the Swift side keeps the pointer to each line's anchor object (the object a guard retains), on the same
/// line as the count it releases into: at this offset in a slot's line, and at
/// C_RUNDOWN_OVERFLOW_ANCHOR_OFFSET in line 0 for the overflow word. The sections never read them.
#define C_RUNDOWN_SLOT_ANCHOR_OFFSET 8
#define C_RUNDOWN_OVERFLOW_ANCHOR_OFFSET 16

/// Whether the rseq fast path is usable in this process, decided once (at load time, or at the first call):
/// 1 if it is, 0 if not; `reason` (if not NULL) receives a static description of why not, or of what is used.
int c_rundown_rseq_status(const char *_Nullable *_Nullable reason);

/// Issues membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ): every rseq critical section of this process that is
/// in flight on another CPU has committed or will restart when this returns. Registers again if the process is not
/// registered (a forked child). Returns 0, or an errno value if the barrier could not be issued.
int c_rundown_rseq_fence(void);

/// The number of rseq critical sections of this library that the kernel aborted (and that restarted), process-wide;
/// for tests and the soak, which show that restarts happen.
uint64_t c_rundown_rseq_abort_count(void);

/// Counts one abort; called only from the abort path of c_rundown_rseq_add.
void c_rundown_rseq_count_abort(void);

#if C_RUNDOWN_RSEQ_BUILT

// Weak: an older glibc without rseq support still links, and the status check sees the addresses as null.
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

/// The calling thread's rseq area: the thread pointer plus __rseq_offset.
static inline __attribute__((always_inline)) char *_Nonnull c_rundown_rseq_area(void) {
    // `volatile`, for the reason given in c_rundown_rseq_add.
    char *thread_pointer;
#if defined(__x86_64__)
    __asm__ volatile("movq %%fs:0, %0" : "=r"(thread_pointer));
#elif defined(__aarch64__)
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(thread_pointer));
#endif
    return thread_pointer + __rseq_offset;
}

/// Where the calling thread's rseq area is, relative to its thread pointer: `__rseq_offset`, the same for every
/// thread of the process. The fast path reads it once per object, into a register, so that a section reaches the
/// area with one thread-relative access instead of loading the thread pointer and this offset each time.
static inline __attribute__((always_inline)) ptrdiff_t c_rundown_rseq_area_offset(void) {
    return __rseq_offset;
}

/// The CPU the calling thread runs on, as the kernel last wrote it into the rseq area; a hint outside a section.
static inline __attribute__((always_inline)) uint32_t c_rundown_rseq_cpu(void) {
    return *(volatile uint32_t *)(c_rundown_rseq_area() + 4);
}

/// Adds `delta` to the slot of the CPU the calling thread runs on, in one restartable sequence (`lines` as described
/// at C_RUNDOWN_RSEQ_FLAG_OFFSET; `area_offset` is c_rundown_rseq_area_offset()): reads the CPU, refuses if it has no
/// slot (`cpu >= slot count`), refuses if the closed flag (bit 0 of the word at offset 0) is set, then adds with a
/// plain store as the commit. Returns C_RUNDOWN_RSEQ_DONE, C_RUNDOWN_RSEQ_CLOSED or C_RUNDOWN_RSEQ_NO_SLOT. On x86-64
/// the rseq area is reached through the %fs segment (the thread pointer's base) plus `area_offset`, and the loads and
/// the commit store are ordinary (acquiring and releasing by the memory model); on aarch64 the area is the thread
/// pointer plus `area_offset`, the flag is read with `ldar` (acquiring) and the slot written with `stlr` (releasing).
static inline __attribute__((always_inline)) int c_rundown_rseq_add(
    char *_Nonnull lines, int64_t delta, ptrdiff_t area_offset) {
#if defined(__aarch64__)
    // `volatile`: read afresh at every call, never merged with another call's read. After inlining into an async
    // caller, a read shared by an acquisition and a release on either side of a suspension would hand the release
    // another thread's area.
    char *thread_pointer;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(thread_pointer));
    char *area = thread_pointer + area_offset;
#endif
    for (;;) {
#if defined(__x86_64__)
        __asm__ goto(
            ".pushsection __rseq_cs, \"aw\"\n\t"
            ".balign 32\n\t"
            "3:\n\t"
            ".long 0, 0\n\t"
            ".quad 1f, 2f - 1f, 4f\n\t"
            ".popsection\n\t"
            "leaq 3b(%%rip), %%rax\n\t"
            "movq %%rax, %%fs:8(%[offset])\n\t"
            "1:\n\t"
            "movl %%fs:4(%[offset]), %%eax\n\t"
            "cmpl 8(%[lines]), %%eax\n\t"
            "jae %l[no_slot]\n\t"
            "testq $1, (%[lines])\n\t"
            "jnz %l[refused]\n\t"
            "shlq $7, %%rax\n\t"
            "addq %[delta], 128(%[lines], %%rax)\n\t"
            "2:\n\t"
            ".pushsection __rseq_failure, \"ax\"\n\t"
            ".byte 0x0f, 0xb9, 0x3d\n\t"
            ".long 0x53053053\n\t"
            "4:\n\t"
            "jmp %l[aborted]\n\t"
            ".popsection\n\t"
            :
            : [offset] "r"(area_offset), [lines] "r"(lines), [delta] "r"(delta)
            : "memory", "cc", "rax"
            : no_slot, refused, aborted);
#elif defined(__aarch64__)
        __asm__ goto(
            ".pushsection __rseq_cs, \"aw\"\n\t"
            ".balign 32\n\t"
            "3:\n\t"
            ".long 0, 0\n\t"
            ".quad 1f, 2f - 1f, 4f\n\t"
            ".popsection\n\t"
            "adrp x16, 3b\n\t"
            "add x16, x16, :lo12:3b\n\t"
            "str x16, [%[area], #8]\n\t"
            "1:\n\t"
            "ldr w17, [%[area], #4]\n\t"
            "ldr w16, [%[lines], #8]\n\t"
            "cmp w17, w16\n\t"
            "b.hs %l[no_slot]\n\t"
            "ldar x16, [%[lines]]\n\t"
            "tbnz x16, #0, %l[refused]\n\t"
            "add x17, %[lines], x17, lsl #7\n\t"
            "add x17, x17, #128\n\t"
            "ldr x16, [x17]\n\t"
            "add x16, x16, %[delta]\n\t"
            "stlr x16, [x17]\n\t"
            "2:\n\t"
            ".pushsection __rseq_failure, \"ax\"\n\t"
            ".inst 0xd428bc00\n\t"
            "4:\n\t"
            "b %l[aborted]\n\t"
            ".popsection\n\t"
            :
            : [area] "r"(area), [lines] "r"(lines), [delta] "r"(delta)
            : "memory", "cc", "x16", "x17"
            : no_slot, refused, aborted);
#endif
        return C_RUNDOWN_RSEQ_DONE;
    aborted:
        c_rundown_rseq_count_abort();
        continue;
    no_slot:
        return C_RUNDOWN_RSEQ_NO_SLOT;
    refused:
        return C_RUNDOWN_RSEQ_CLOSED;
    }
}

#else

static inline __attribute__((always_inline)) uint32_t c_rundown_rseq_cpu(void) {
    return UINT32_MAX;
}

static inline __attribute__((always_inline)) ptrdiff_t c_rundown_rseq_area_offset(void) {
    return 0;
}

static inline __attribute__((always_inline)) int c_rundown_rseq_add(
    char *_Nonnull lines, int64_t delta, ptrdiff_t area_offset) {
    (void)lines;
    (void)delta;
    (void)area_offset;
    return C_RUNDOWN_RSEQ_NO_SLOT;
}

#endif

#endif
