// SPDX-License-Identifier: Apache-2.0
// A stand-in for the `Darwin` C module of Apple's SDKs (macOS 15 / iOS 18 and later), for
// Scripts/check-apple-platforms.sh only: compiled by the clang importer for an Apple triple, never linked.
//
// It declares what swift-rundown's Swift code reaches on Apple platforms (the `#elseif canImport(Darwin)` branches
// of Sources/Rundown/Platform/PlatformShim.swift and Tests/RundownTests/Support/PlatformShim.swift, and what the
// test target uses through the latter's `@_exported import Darwin`), plus the other members of the same API
// families that exist on Darwin, as the SDK's headers declare them for an LP64 target: the same typedef chains
// (so that Swift sees `pthread_t`, `time_t`, `clockid_t`, `useconds_t`, ... as it does with the SDK), the same
// nullability (libpthread's pthread.h is one `assume_nonnull` region; Libc's time.h, unistd.h and stdlib.h are
// not), the same macros (imported as Int32 constants) and the same Swift attributes. Each section names the header
// it follows (Apple's open-source libpthread-539, Libc-1725.0.11, xnu-11417.101.15 bsd/ headers).
//
// Deliberately absent, because Darwin has none of them (a call to one must fail as it fails with the SDK):
// pthread_condattr_setclock, pthread_setaffinity_np, pthread_getaffinity_np, sched_getcpu, gettid,
// CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE, and the two-argument pthread_setname_np of glibc.
#ifndef SWIFT_RUNDOWN_STAND_IN_DARWIN_H
#define SWIFT_RUNDOWN_STAND_IN_DARWIN_H

#include <stddef.h>  // size_t (clang's own header; the SDK's sys/_types/_size_t.h gives the same `size_t` name)

// ---- Attributes (sys/cdefs.h, Availability.h, pthread.h) ----------------------------------------------------------

// As __API_AVAILABLE(macos(M), ios(I)), and as __OSX_AVAILABLE(M) __IOS_AVAILABLE(I) __TVOS_AVAILABLE(T)
// __WATCHOS_AVAILABLE(W).
#define STAND_IN_AVAILABLE(M, I) \
    __attribute__((availability(macos, introduced = M))) __attribute__((availability(ios, introduced = I)))
#define STAND_IN_AVAILABLE_4(M, I, T, W) \
    __attribute__((availability(macos, introduced = M))) __attribute__((availability(ios, introduced = I))) \
    __attribute__((availability(tvos, introduced = T))) __attribute__((availability(watchos, introduced = W)))
// pthread.h's __PTHREAD_SWIFT_UNAVAILABLE_FROM_ASYNC: calling such a function from an async context is an error in
// Swift 6 on Apple platforms.
#define STAND_IN_UNAVAILABLE_FROM_ASYNC(message) \
    __attribute__((__swift_attr__("@_unavailableFromAsync(message: \"" message "\")")))

// ---- Basic types (xnu bsd/i386/_types.h, bsd/sys/_types.h, bsd/sys/_types/*.h) ------------------------------------

typedef unsigned int __uint32_t;
typedef unsigned long long __uint64_t;
typedef long __darwin_time_t;
typedef __uint32_t __darwin_useconds_t;
typedef __darwin_time_t time_t;
typedef __darwin_useconds_t useconds_t;

// sys/_types/_timespec.h
struct timespec {
    __darwin_time_t tv_sec;
    long tv_nsec;
};

// ---- errno values (xnu bsd/sys/errno.h) ----------------------------------------------------------------------------

#define EBUSY 16
#define EINVAL 22
#define EAGAIN 35
#define ETIMEDOUT 60

// ---- Clocks (Libc include/_time.h; not in a nullability region) ----------------------------------------------------
//
// The SDK has `typedef enum { _CLOCK_REALTIME = 0, ... } clockid_t;` with `#define CLOCK_REALTIME _CLOCK_REALTIME`
// and so on. Swift code on Apple platforms uses the CLOCK_* names as `clockid_t` values (for example swift-system's
// tests call `clock_gettime(CLOCK_REALTIME, &start)` with `import Darwin`), but the open-source clang importer does
// not import a macro whose expansion names an enumerator (ImportMacro.cpp: "FIXME: If the identifier refers to a
// declaration, alias it?"; so with these headers alone Swift would not see them, as checked with this toolchain).
// How the SDK makes them visible is not public (presumably its Darwin Swift overlay); here they are constants of
// type clockid_t, which Swift imports as `var CLOCK_MONOTONIC: clockid_t { get }`: the type that Swift code on Apple
// platforms passes to clock_gettime.

typedef enum {
    _CLOCK_REALTIME STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 0,
    _CLOCK_MONOTONIC STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 6,
    _CLOCK_MONOTONIC_RAW STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 4,
    _CLOCK_MONOTONIC_RAW_APPROX STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 5,
    _CLOCK_UPTIME_RAW STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 8,
    _CLOCK_UPTIME_RAW_APPROX STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 9,
    _CLOCK_PROCESS_CPUTIME_ID STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 12,
    _CLOCK_THREAD_CPUTIME_ID STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = 16
} clockid_t;

static const clockid_t CLOCK_REALTIME STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_REALTIME;
static const clockid_t CLOCK_MONOTONIC STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_MONOTONIC;
static const clockid_t CLOCK_MONOTONIC_RAW STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_MONOTONIC_RAW;
static const clockid_t CLOCK_MONOTONIC_RAW_APPROX STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) =
    _CLOCK_MONOTONIC_RAW_APPROX;
static const clockid_t CLOCK_UPTIME_RAW STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_UPTIME_RAW;
static const clockid_t CLOCK_UPTIME_RAW_APPROX STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_UPTIME_RAW_APPROX;
static const clockid_t CLOCK_PROCESS_CPUTIME_ID STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) =
    _CLOCK_PROCESS_CPUTIME_ID;
static const clockid_t CLOCK_THREAD_CPUTIME_ID STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0) = _CLOCK_THREAD_CPUTIME_ID;

STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0)
int clock_getres(clockid_t __clock_id, struct timespec *__res);
STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0)
int clock_gettime(clockid_t __clock_id, struct timespec *__tp);
STAND_IN_AVAILABLE_4(10.12, 10.0, 10.0, 3.0)
__uint64_t clock_gettime_nsec_np(clockid_t __clock_id);
int nanosleep(const struct timespec *__rqtp, struct timespec *__rmtp);

// ---- unistd.h, stdlib.h (Libc include/unistd.h, include/_stdlib.h; not in a nullability region) -------------------

#define _SC_NPROCESSORS_CONF 57
#define _SC_NPROCESSORS_ONLN 58
long sysconf(int);
int usleep(useconds_t);
unsigned int sleep(unsigned int);
char *getenv(const char *);

// ---- sched.h (libpthread include/pthread/sched.h) ------------------------------------------------------------------

int sched_yield(void);

// ---- pthread types (libpthread include/sys/_pthread/_pthread_types.h and _pthread_*_t.h, LP64 sizes) -------------

struct __darwin_pthread_handler_rec {
    void (*__routine)(void *);
    void *__arg;
    struct __darwin_pthread_handler_rec *__next;
};
struct _opaque_pthread_attr_t {
    long __sig;
    char __opaque[56];
};
struct _opaque_pthread_cond_t {
    long __sig;
    char __opaque[40];
};
struct _opaque_pthread_condattr_t {
    long __sig;
    char __opaque[8];
};
struct _opaque_pthread_mutex_t {
    long __sig;
    char __opaque[56];
};
struct _opaque_pthread_mutexattr_t {
    long __sig;
    char __opaque[8];
};
struct _opaque_pthread_t {
    long __sig;
    struct __darwin_pthread_handler_rec *__cleanup_stack;
    char __opaque[8176];
};

typedef struct _opaque_pthread_attr_t __darwin_pthread_attr_t;
typedef struct _opaque_pthread_cond_t __darwin_pthread_cond_t;
typedef struct _opaque_pthread_condattr_t __darwin_pthread_condattr_t;
typedef unsigned long __darwin_pthread_key_t;
typedef struct _opaque_pthread_mutex_t __darwin_pthread_mutex_t;
typedef struct _opaque_pthread_mutexattr_t __darwin_pthread_mutexattr_t;
typedef struct _opaque_pthread_t *__darwin_pthread_t;

typedef __darwin_pthread_attr_t pthread_attr_t;
typedef __darwin_pthread_cond_t pthread_cond_t;
typedef __darwin_pthread_condattr_t pthread_condattr_t;
typedef __darwin_pthread_key_t pthread_key_t;
typedef __darwin_pthread_mutex_t pthread_mutex_t;
typedef __darwin_pthread_mutexattr_t pthread_mutexattr_t;
typedef __darwin_pthread_t pthread_t;

// ---- pthread functions (libpthread include/pthread/pthread.h: all of it is one assume_nonnull region) ------------

#pragma clang assume_nonnull begin

#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_ERRORCHECK 1
#define PTHREAD_MUTEX_RECURSIVE 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_attr_destroy(pthread_attr_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_attr_init(pthread_attr_t *);

STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_cond_broadcast(pthread_cond_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_cond_destroy(pthread_cond_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_cond_init(pthread_cond_t *__restrict, const pthread_condattr_t *_Nullable __restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_cond_signal(pthread_cond_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use an asynchronous wait instead of a synchronous wait")
int pthread_cond_timedwait(pthread_cond_t *__restrict, pthread_mutex_t *__restrict,
    const struct timespec *_Nullable __restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use an asynchronous wait instead of a synchronous wait")
int pthread_cond_wait(pthread_cond_t *__restrict, pthread_mutex_t *__restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_condattr_destroy(pthread_condattr_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_condattr_init(pthread_condattr_t *);

STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_create(pthread_t _Nullable *_Nonnull __restrict, const pthread_attr_t *_Nullable __restrict,
    void *_Nullable (*_Nonnull)(void *_Nullable), void *_Nullable __restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_detach(pthread_t);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_equal(pthread_t _Nullable, pthread_t _Nullable);
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use Task Local Values instead")
STAND_IN_AVAILABLE(10.4, 2.0)
void *_Nullable pthread_getspecific(pthread_key_t);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use an asynchronous wait instead of a synchronous wait")
int pthread_join(pthread_t, void *_Nullable *_Nullable);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_key_create(pthread_key_t *, void (*_Nullable)(void *));
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_key_delete(pthread_key_t);

STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutex_destroy(pthread_mutex_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutex_init(pthread_mutex_t *__restrict, const pthread_mutexattr_t *_Nullable __restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use OSAllocatedUnfairLock's withLock or NSLock for async-safe scoped locking")
int pthread_mutex_lock(pthread_mutex_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC(
    "Use OSAllocatedUnfairLock's withLockIfAvailable or NSLock for async-safe scoped locking")
int pthread_mutex_trylock(pthread_mutex_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use OSAllocatedUnfairLock's withLock or NSLock for async-safe scoped locking")
int pthread_mutex_unlock(pthread_mutex_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutexattr_destroy(pthread_mutexattr_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__restrict, int *__restrict);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutexattr_init(pthread_mutexattr_t *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_mutexattr_settype(pthread_mutexattr_t *, int);

STAND_IN_AVAILABLE(10.4, 2.0)
pthread_t pthread_self(void);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use Task Local Values instead")
int pthread_setspecific(pthread_key_t, const void *_Nullable);

// The Darwin extensions (the `_DARWIN_C_SOURCE` part of pthread.h).
STAND_IN_AVAILABLE(10.6, 3.2)
int pthread_threadid_np(pthread_t _Nullable, __uint64_t *_Nullable);
STAND_IN_AVAILABLE(10.6, 3.2)
int pthread_getname_np(pthread_t, char *, size_t);
STAND_IN_AVAILABLE(10.6, 3.2)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Thread lifecycle is owned by Swift Concurrency runtime")
int pthread_setname_np(const char *);
STAND_IN_AVAILABLE(10.4, 2.0)
int pthread_main_np(void);
STAND_IN_AVAILABLE(10.4, 2.0)
STAND_IN_UNAVAILABLE_FROM_ASYNC("Use an asynchronous wait instead of a synchronous wait")
int pthread_cond_timedwait_relative_np(pthread_cond_t *, pthread_mutex_t *, const struct timespec *_Nullable);

#pragma clang assume_nonnull end

#endif
