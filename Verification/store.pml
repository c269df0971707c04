// SPDX-License-Identifier: Apache-2.0
/*
 * store.pml -- included by rundown.pml, rundown_cache_aware.pml and rundown_rseq.pml, before the word-specific part.
 *
 * Checking switches, ghost state, and the waiter store (WaiterStore + WaiterRegistry + ConditionLock): its mutex,
 * its registry of waiter records and callbacks, the condition variable and the async waiter's continuation, and
 * WaiterStore.complete(generation:).
 */

#ifndef MAXGEN
#define MAXGEN 2            /* generations 0 .. MAXGEN-1, i.e. MAXGEN-1 re-initializations */
#endif
#ifndef PROP
#define PROP 0              /* which assertion group is checked; 0 = all */
#endif

#define P_ACQUIRE   1       /* no_acquire_after_rundown    */
#define P_WAIT      2       /* wait_true_only_when_drained */
#define P_CALLBACK  3       /* callback_once_after_drain   */
#define P_REINIT    4       /* reinit_keeps_count          */
#define P_QUIESCE   5       /* quiescence                  */

#define CHECK(p, e) assert(!(PROP == 0 || PROP == (p)) || (e))

/*
 * Atomicity. By default two reductions keep the state space small without changing what can be observed:
 *  - a CAS loop is one step: it takes effect at its successful compare-and-swap, or gives up at the load that saw
 *    CLOSED / completion; failed attempts change nothing, so they add interleavings but no behaviour;
 *  - a critical section of the store's mutex is one step (Lipton reduction: lock() is a right mover, unlock() a
 *    left mover, lock-protected state is touched by no one else, and each section touches the word at most once,
 *    through registerWaiter's CAS loop).
 * -DFAITHFUL turns both off: every load, every CAS attempt, lock(), each statement under the lock and unlock() is
 * its own step (check.sh runs it on a smaller configuration, see README.md).
 */
#ifdef FAITHFUL
#define CAS_LOOP
#define CRITICAL
#else
#define CAS_LOOP atomic
#define CRITICAL atomic
#endif

/* actor identities ("me"); BLOCKING and ASYNC double as the index of their waiter record */
#define BLOCKING    0
#define ASYNC       1
#define REGISTRANT  2
#define HOLDER      3

#define NACTORS (NHOLDERS + 3)

/* ---------------------------------------------------------------- ghosts (read only by the properties) */
byte held[MAXGEN];          /* holders (units) inside generation g */
bool begun[MAXGEN];         /* run-down of generation g has begun */
bool cbReg[MAXGEN];         /* a completion callback is owed for generation g (at most one per generation) */
byte cbRan[MAXGEN];         /* ... and how often it ran */
bool pend[2];               /* waiter w is inside a wait call ... */
byte pendGen[2];            /* ... for this generation */
byte completions[MAXGEN];   /* how often generation g was completed (its count reached 0 after CLOSED) */
byte finished;              /* actors that have finished */

#define GEN_DONE(g) (begun[g] && held[g] == 0)

/* a wait returns: with true only once its generation has drained */
inline waitReturns(w) {
    CHECK(P_WAIT, !result || GEN_DONE(g));
    pend[w] = 0; pendGen[w] = 0
}

/* the caller's read-modify-write completed generation gg: that happens once, and only when it has drained */
inline noteCompletion(gg) {
    completions[gg]++;
    CHECK(P_REINIT, completions[gg] == 1 && GEN_DONE(gg))
}

/* ghost bookkeeping of closeGeneration(), in the step of its fetch_or: who called it, for which generation */
inline noteClose(gg) {
    if
    :: me == BLOCKING -> pend[BLOCKING] = 1; pendGen[BLOCKING] = gg
    :: me == ASYNC -> pend[ASYNC] = 1; pendGen[ASYNC] = gg
    :: me == REGISTRANT -> cbReg[gg] = 1
    :: else -> skip
    fi
}

/* ---------------------------------------------------------------- the waiter store */
byte lockOwner;             /* the pthread mutex: 0 = free, else _pid + 1 */
bool rec[2];                /* registry.waiters: the record of the blocking / the async waiter */
byte recGen[2];             /* ... and the generation it waits for */
bool cbRec[MAXGEN];         /* registry.callbacks: the callback kept for generation g */
byte asyncState;            /* WaiterRegistry.Waiter of the async waiter's record, while rec[ASYNC]: */
#define ASYNC_REGISTERED 0        /*   registered, continuation not handed over yet */
#define ASYNC_SUSPENDED  1        /*   suspended: completion or cancellation resumes it */
#define ASYNC_COMPLETED  2        /*   registered, and its generation completed before it suspended */
bool parked;                /* the blocking waiter is parked on the condition variable */
byte cont;                  /* the async waiter's continuation: */
#define NOT_RESUMED   0
#define RESUMED_TRUE  1
#define RESUMED_FALSE 2

/* locals every actor declares (inlines share the proctype's scope) */
#define LOCALS Word lw; Word old; byte g; byte stage; bool ok; bool flag; bool woke; bool resumeAsync; bool runCb; \
               bool result; MODEL_LOCALS

inline lock() {
    atomic { lockOwner == 0 -> lockOwner = _pid + 1 }
}
inline unlock() {
    assert(lockOwner == _pid + 1);
    lockOwner = 0
}

/* UnsafeContinuation.resume(returning:): exactly once per suspension */
inline resume(value) {
    d_step {
        CHECK(P_QUIESCE, cont == NOT_RESUMED);
        cont = value
    }
}

/* the completion callback: runs outside the lock, once, after its generation drained */
inline runCallback(gg) {
    d_step {
        CHECK(P_CALLBACK, cbReg[gg] && GEN_DONE(gg) && cbRan[gg] == 0);
        cbRan[gg]++
    }
}

/* WaiterStore.complete(generation:): registry.complete(generation:) under the lock, then, after unlocking,
 * broadcast, resume the removed continuation, run the removed callback (on the completing thread). A registered
 * async waiter that has not handed over its continuation yet keeps its record, marked ASYNC_COMPLETED. */
inline waitersComplete(gg) {
    CRITICAL {
        lock();
        if
        :: rec[BLOCKING] && recGen[BLOCKING] == gg -> rec[BLOCKING] = 0; recGen[BLOCKING] = 0; woke = 1
        :: else -> skip
        fi;
        if
        :: rec[ASYNC] && recGen[ASYNC] == gg && asyncState == ASYNC_SUSPENDED ->
            rec[ASYNC] = 0; recGen[ASYNC] = 0; asyncState = ASYNC_REGISTERED; resumeAsync = 1
        :: rec[ASYNC] && recGen[ASYNC] == gg && asyncState == ASYNC_REGISTERED -> asyncState = ASYNC_COMPLETED
        :: else -> skip
        fi;
        if
        :: cbRec[gg] -> cbRec[gg] = 0; runCb = 1
        :: else -> skip
        fi;
        unlock()
    }
    d_step {                                                            /* ConditionLock.broadcast() */
        if :: woke -> woke = 0; parked = 0 :: else -> skip fi
    }
    d_step {                                                            /* continuation.resume(true) */
        if
        :: resumeAsync -> resumeAsync = 0; CHECK(P_QUIESCE, cont == NOT_RESUMED); cont = RESUMED_TRUE
        :: else -> skip
        fi
    }
    d_step {                                                            /* callback() */
        if
        :: runCb -> runCb = 0; CHECK(P_CALLBACK, cbReg[gg] && GEN_DONE(gg) && cbRan[gg] == 0); cbRan[gg]++
        :: else -> skip
        fi
    }
}
