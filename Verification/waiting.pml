// SPDX-License-Identifier: Apache-2.0
/*
 * waiting.pml -- included by rundown.pml, rundown_cache_aware.pml and rundown_rseq.pml after their word-specific part.
 *
 * The slow path, which is the same for all three models: registration of waiters and callbacks on the word that
 * carries CLOSED / WAITERS / generation (WORD), the blocking, async and callback forms of waiting, and the actors
 * that use them. The including model defines WORD, load(w), forget(w), SAME_AS_WORD(w), HAS_COMPLETED(g, w),
 * closeGeneration(when) (its first step; sets g), CLOSE_STEPS / CLOSED (the rest of it, if any, as options of the
 * caller's loop) and reInitialize(when).
 *
 * Each wait is a `do` loop whose options are guarded atomic steps, dispatching on a local `stage`; the step that
 * returns also does the caller's local bookkeeping and leaves the loop. So every state the checker stores lies
 * between two atomic actions of the Swift code, and none lies between two local statements.
 */

#ifndef OWNER_TIMEOUTS
#define OWNER_TIMEOUTS 1
#endif
byte timeoutBudget = OWNER_TIMEOUTS;  /* how many of the Owner's waits may have a deadline */

/* RundownEngine.registerWaiter(_:), under the store's lock: CAS loop setting WAITERS unless generation g completed.
 * ok = 0: already completed, the caller must not wait; ok = 1: registered (WAITERS is set). */
inline registerWaiter() {
    load(lw);
    do
    :: HAS_COMPLETED(g, lw) -> ok = 0; break
    :: !HAS_COMPLETED(g, lw) && lw.waiters -> ok = 1; break
    :: !HAS_COMPLETED(g, lw) && !lw.waiters ->
        atomic {
            if
            :: SAME_AS_WORD(lw) -> WORD.waiters = 1; ok = 1          /* CAS success (releasing) */
            :: else -> load(lw)                                       /* CAS failure returns the current value */
            fi
        }
        if :: ok -> break :: else -> skip fi
    od;
    forget(lw)
}

/* ---------------------------------------------------------------- blocking waiter */

/* waitForRundown() / waitForRundown(timeout:) on a thread: RundownEngine.waitBlocking(for:until:) +
 * WaiterStore.waitBlocking(for:until:register:). Sets result (false = the deadline passed).
 * Whether the call has a deadline (`timed`) is chosen per call, at most timeoutBudget times. */
inline waitBlocking() {
    closeGeneration(true);
    do
    CLOSE_STEPS
    :: atomic {                                            /* hasCompleted(generation): acquiring load */
            stage == 0 && CLOSED ->
            if
            :: timeoutBudget > 0 -> timeoutBudget--; timed = 1
            :: true -> skip
            fi;
            if
            :: HAS_COMPLETED(g, WORD) -> result = 1; waitReturns(BLOCKING); break
            :: else ->
                if
                :: timed -> result = 0; waitReturns(BLOCKING); break  /* the deadline has already passed */
                :: true -> stage = 1
                fi
            fi
        }
    :: CRITICAL {
            stage == 1 -> lock();
            registerWaiter();
            if
            :: ok -> ok = 0; rec[BLOCKING] = 1; recGen[BLOCKING] = g;  /* registry.add(.blocked, ...) */
                parked = 1; stage = 2; unlock()            /* isWaiting: pthread_cond_wait unlocks and parks */
            :: else -> unlock(); stage = 0; result = 1; waitReturns(BLOCKING); break
            fi
        }
    :: CRITICAL {                                          /* woken by broadcast (or spuriously) */
            stage == 2 && !parked -> lock();               /* the wait re-acquires the mutex */
            if
            :: !rec[BLOCKING] -> unlock(); stage = 0; result = 1; waitReturns(BLOCKING); break   /* completed */
            :: else -> parked = 1; unlock()                                          /* still waiting */
            fi
        }
    :: CRITICAL {                                          /* the deadline passes (possibly racing a wakeup) */
            stage == 2 && timed -> parked = 0; lock();
            if
            :: rec[BLOCKING] -> rec[BLOCKING] = 0; recGen[BLOCKING] = 0;             /* remove(id) != nil */
                unlock(); stage = 0; result = 0; waitReturns(BLOCKING); break
            :: else -> unlock(); stage = 0; result = 1; waitReturns(BLOCKING); break  /* completed meanwhile */
            fi
        }
    od
}

/* The owner: waits for the run-down of the current generation, then re-initializes it; in the last generation it
 * only waits. After a timed-out wait it waits again (the run-down stays begun). */
proctype Owner() {
    byte me = BLOCKING;
    bool timed;
    LOCALS;
    do
    :: waitBlocking();
        if
        :: reInitialize(result && g + 1 < MAXGEN)
        :: atomic { result && g + 1 >= MAXGEN -> result = 0; g = 0; timed = 0; finished++ }; break
        :: atomic { !result -> g = 0; timed = 0 }          /* timed out: wait again */
        fi
    od
}

/* ---------------------------------------------------------------- async waiter */

/* what the AsyncWaiter does once a wait returned: after a cancellation it waits again, untimed; then it ends */
inline asyncWaitReturned() {
    waitReturns(ASYNC);
    stage = 0;
    if
    :: !result && !again -> result = 0; g = 0; again = 1; cancellable = 0; goto asyncWait
    :: else -> result = 0; g = 0; again = 0; cancellable = 0; finished++; break
    fi
}

/* waitForRundown() async, or, when `cancellable`, waitForRundown(timeout:) async (its timeout cancels the child
 * task that waits): RundownEngine.waitSuspending(for:) / waitSuspending(for:timeout:). result false = cancelled.
 * Two steps under the lock, as WaiterStore does them: registerSuspending (registerWaiter + a ASYNC_REGISTERED record),
 * then handOver (the continuation: ASYNC_REGISTERED -> ASYNC_SUSPENDED; COMPLETED -> resume true at once; no record, because
 * a cancellation removed it -> resume false at once). The cancellation handler may run at any point after the
 * registration, before or after the hand-over. In Swift it runs on another thread; here the waiting task's
 * process runs it, which is equivalent because the task does nothing else meanwhile. */
inline waitSuspending() {
    closeGeneration(true);
    do
    CLOSE_STEPS
    :: atomic {                                            /* hasCompleted(generation) */
            stage == 0 && CLOSED ->
            if
            :: !again -> cancellable = 1                   /* the first call may be the cancellable one */
            :: true -> skip
            fi;
            if
            :: HAS_COMPLETED(g, WORD) -> result = 1; asyncWaitReturned()
            :: else ->
                if
                :: cancellable -> result = 0; asyncWaitReturned()   /* timeout <= 0, or already cancelled */
                :: true -> stage = 1
                fi
            fi
        }
    :: CRITICAL {                                          /* WaiterStore.registerSuspending */
            stage == 1 -> lock();
            registerWaiter();
            if
            :: ok -> ok = 0; rec[ASYNC] = 1; recGen[ASYNC] = g; asyncState = ASYNC_REGISTERED; stage = 2; unlock()
            :: else -> unlock(); result = 1; asyncWaitReturned()                  /* completed: do not suspend */
            fi
        }
    :: CRITICAL {                                          /* handOver: WaiterRegistry.suspend(id, with:) */
            stage == 2 -> lock();
            if
            :: !rec[ASYNC] -> unlock(); result = 0; asyncWaitReturned()          /* cancelled: resume(false) */
            :: rec[ASYNC] && asyncState == ASYNC_COMPLETED ->
                rec[ASYNC] = 0; recGen[ASYNC] = 0; asyncState = ASYNC_REGISTERED;
                unlock(); result = 1; asyncWaitReturned()                         /* completed: resume(true) */
            :: rec[ASYNC] && asyncState == ASYNC_REGISTERED -> asyncState = ASYNC_SUSPENDED; stage = 3; unlock()
            fi
        }
    :: atomic {                                            /* resumed: the task continues */
            stage == 3 && cont != NOT_RESUMED ->
            result = (cont == RESUMED_TRUE); cont = NOT_RESUMED; asyncWaitReturned()
        }
    :: CRITICAL {                                          /* onCancel: WaiterRegistry.cancel(id) under the lock */
            (stage == 2 || stage == 3) && cancellable -> cancellable = 0; lock();
            if
            :: rec[ASYNC] && asyncState == ASYNC_REGISTERED -> rec[ASYNC] = 0; recGen[ASYNC] = 0
            :: rec[ASYNC] && asyncState == ASYNC_SUSPENDED ->
                rec[ASYNC] = 0; recGen[ASYNC] = 0; asyncState = ASYNC_REGISTERED; flag = 1
            :: else -> skip                                /* completed first, or already resumed */
            fi;
            unlock()
        }
    :: atomic {                                            /* ... and, if it had suspended, resume(returning: false) */
            flag -> flag = 0; CHECK(P_QUIESCE, cont == NOT_RESUMED); cont = RESUMED_FALSE
        }
    od
}

proctype AsyncWaiter() {
    byte me = ASYNC;
    bool cancellable, again;
    LOCALS;
asyncWait:
    waitSuspending()
}

/* ---------------------------------------------------------------- callback registrant */

/* beginRundown(onCompletion:) (RundownEngine.keepCallback(_:for:)), in generation `next` or later */
inline beginRundownOnCompletion() {
    closeGeneration(next < MAXGEN && WORD.gen >= next);
    do
    CLOSE_STEPS
    :: atomic {                                            /* hasCompleted(generation) */
            stage == 0 && CLOSED ->
            if
            :: HAS_COMPLETED(g, WORD) -> stage = 2
            :: else -> stage = 1
            fi
        }
    :: CRITICAL {                                          /* WaiterStore.addCallback */
            stage == 1 -> lock();
            registerWaiter();
            if
            :: ok -> ok = 0; cbRec[g] = 1; unlock();       /* registry.addCallback */
                stage = 0; next = g + 1; g = 0; break
            :: else -> unlock(); stage = 2                 /* completed meanwhile: run it here */
            fi
        }
    :: atomic {                                            /* onCompletion(), right here */
            stage == 2 ->
            CHECK(P_CALLBACK, cbReg[g] && GEN_DONE(g) && cbRan[g] == 0); cbRan[g]++;
            stage = 0; next = g + 1; g = 0; break
        }
    od
}

/* registers a completion callback once per generation it gets to see (it may miss generations) */
proctype Registrant() {
    byte me = REGISTRANT;
    byte next;                                             /* the first generation it may still register for */
    LOCALS;
    do
    :: beginRundownOnCompletion()
    :: atomic { next == MAXGEN -> next = 0; finished++; break }
    od
}

/* ---------------------------------------------------------------- quiescence */

/* once every actor has finished: no record is left, no continuation pending, every owed callback ran once, every
 * generation completed exactly once, and the model's own final condition (FINAL_STATE) holds */
active proctype Quiescence() {
    byte i;
end:
    finished == NACTORS;
    CHECK(P_QUIESCE, !rec[BLOCKING] && !rec[ASYNC] && cont == NOT_RESUMED && lockOwner == 0 && !parked);
    CHECK(P_QUIESCE, !pend[BLOCKING] && !pend[ASYNC] && FINAL_STATE);
    for (i : 0 .. MAXGEN - 1) {
        CHECK(P_QUIESCE, !cbRec[i] && cbRan[i] == cbReg[i] && held[i] == 0 && completions[i] == 1)
    }
}

/* ---------------------------------------------------------------- liveness (pan -a -f -N name) */
ltl waiters_return {
    [] ((pend[BLOCKING] && GEN_DONE(pendGen[BLOCKING])) -> <> !pend[BLOCKING]) &&
    [] ((pend[ASYNC] && GEN_DONE(pendGen[ASYNC])) -> <> !pend[ASYNC])
}
ltl callbacks_run {
    [] ((cbReg[0] && GEN_DONE(0)) -> <> (cbRan[0] == 1)) &&
    [] ((cbReg[MAXGEN - 1] && GEN_DONE(MAXGEN - 1)) -> <> (cbRan[MAXGEN - 1] == 1))
}
