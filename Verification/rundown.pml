// SPDX-License-Identifier: Apache-2.0
/*
 * rundown.pml -- SPIN model of swift-rundown's plain RundownRef protocol.
 *
 * Swift: Sources/Rundown/Engine/RundownEngine*.swift, Word/RundownWord.swift (this file),
 *        Waiters/WaiterStore.swift, Waiters/WaiterRegistry.swift, Platform/ConditionLock.swift (store.pml, waiting.pml).
 *
 * Actors (one proctype per kind):
 *   Holder(n)    x3  acquire(n) / release(n) over and over, in whatever generation is open (one holder counts 2)
 *   Owner        x1  waitForRundown() on a thread (one call with a deadline), then reInitialize(); MAXGEN generations
 *   AsyncWaiter  x1  waitForRundown() async; its first call may be the cancellable/timed form, then it waits again
 *   Registrant   x1  beginRundown(onCompletion:), at most once per generation
 *
 * The 64-bit word is modelled as a record of its fields; every atomic read-modify-write of the Swift code is one
 * indivisible step on the whole record. See store.pml for the atomicity reductions and -DFAITHFUL.
 *
 * Ghost state (read only by the properties): held[g] = holder units inside generation g, begun[g] = run-down of g
 * has begun, cbReg[g] / cbRan[g] = a completion callback is owed / has run for g, pend[w] / pendGen[w] = waiter w
 * is inside a wait call for generation pendGen[w].
 */

#ifndef NHOLDERS
#define NHOLDERS 3          /* Holder(1), Holder(1), Holder(2); with 2: Holder(1), Holder(2) */
#endif
#define MAXCOUNT 4          /* at most 1 + 1 + 2 units: the overflow trap is abstracted away (never reached) */

/* ---------------------------------------------------------------- the word (RundownWord) */
typedef Word {
    bit  closed;            /* bit 0       C: run-down has begun */
    bit  waiters;           /* bit 34      W: a waiter or callback of this generation is registered */
    byte count;             /* bits 2..33  holder count (bit 1, R, is not modelled: README.md) */
    byte gen                /* bits 35..63 generation */
};
Word word;

#define WORD word
#define COMPLETED(w)        (w.closed && w.count == 0)                 /* RundownWord.isCompleted */
#define HAS_COMPLETED(gg, w) (w.gen != (gg) || COMPLETED(w))           /* RundownWord.hasCompleted(generation:) */
#define SAME_AS_WORD(w)     (w.closed == word.closed && w.waiters == word.waiters && \
                             w.count == word.count && w.gen == word.gen)

inline load(w) {
    w.closed = word.closed; w.waiters = word.waiters; w.count = word.count; w.gen = word.gen
}
inline forget(w) {          /* clear a dead local copy (keeps the state space small) */
    w.closed = 0; w.waiters = 0; w.count = 0; w.gen = 0
}

#define MODEL_LOCALS byte myGen, lastGen
#include "store.pml"

/* ---------------------------------------------------------------- fast path */

/* RundownEngine.acquire(units:): CAS loop that refuses once CLOSED is set; ok = acquired, lastGen = the word's gen */
inline acquire(n) {
    load(lw);
    do
    :: lw.closed -> ok = 0; break                         /* refused; the word is not modified */
    :: else ->
        assert(lw.count + n <= MAXCOUNT);                 /* overflow trap: never reached with MAXCOUNT */
        atomic {
            if
            :: SAME_AS_WORD(lw) ->                        /* CAS success (acquiring) */
                word.count = word.count + n;
                myGen = word.gen;
                CHECK(P_ACQUIRE, !begun[myGen]);
                held[myGen] = held[myGen] + n;
                ok = 1
            :: else -> load(lw)                           /* CAS failure returns the current value */
            fi
        }
        if :: ok -> break :: else -> skip fi
    od;
    lastGen = lw.gen;
    forget(lw)
}

/* RundownEngine.release(units:): one fetch_sub (releasing). The releaser that brings a closed word to 0 completes
 * generation old.gen and, if old.WAITERS, wakes its waiters (RundownEngine.completeGeneration(afterChanging:)): stage 3. */
inline release(n) {
    atomic {
        load(old);
        CHECK(P_REINIT, old.count >= n && old.gen == myGen);    /* no underflow; released in its own generation */
        word.count = word.count - n;
        held[myGen] = held[myGen] - n;
        myGen = 0;
        if
        :: old.closed && old.count == n ->
            noteCompletion(old.gen);
            if :: old.waiters -> g = old.gen; stage = 3 :: else -> stage = 0 fi
        :: else -> stage = 0
        fi;
        forget(old)
    }
}

/* ---------------------------------------------------------------- slow path (word side) */

/* RundownEngine.close(): fetch_or(CLOSED) (acquiring and releasing); sets g = the generation running down.
 * If the word was open with no holders this call completes the generation; WAITERS cannot be set on an open word
 * (asserted here, and by the Monitor), so there is nobody to wake. `when` is the caller's guard for the step. */
inline closeGeneration(when) {
    atomic {
        when ->
        load(old);
        word.closed = 1;
        if :: !old.closed -> begun[old.gen] = 1 :: else -> skip fi;
        CHECK(P_WAIT, old.closed || !old.waiters);
        noteClose(old.gen);
        if :: !old.closed && old.count == 0 -> noteCompletion(old.gen) :: else -> skip fi;
        g = old.gen;
        forget(old)
    }
}
#define CLOSE_STEPS         /* closeGeneration is one step */
#define CLOSED 1

/* RundownEngine.reInitialize(): CAS completed(gen) -> open(gen + 1) (releasing); traps unless completed */
inline reInitialize(when) {
    atomic {
        when -> result = 0; g = 0; timed = 0;
        assert(COMPLETED(word));                           /* precondition (misuse trap) */
        CHECK(P_REINIT, held[word.gen] == 0);
        word.gen = word.gen + 1;
        word.closed = 0; word.waiters = 0; word.count = 0;
        CHECK(P_REINIT, held[word.gen] == 0)
    }
}

#define FINAL_STATE (COMPLETED(word) && word.gen == MAXGEN - 1)

#include "waiting.pml"

/* ---------------------------------------------------------------- holders */

proctype Holder(byte n) {
    byte me = HOLDER;
    LOCALS;
    do
    :: CAS_LOOP {
            stage == 0 -> acquire(n);
            if
            :: ok -> ok = 0; stage = 1                    /* inside: the protected work happens here */
            :: !ok && lastGen == MAXGEN - 1 -> lastGen = 0; finished++; break   /* the last one is closed: go */
            :: else -> lastGen = 0                        /* refused: try again later */
            fi
        }
    :: atomic { stage == 1 -> release(n) }
    :: stage == 3 -> waitersComplete(g); atomic { g = 0; stage = 0 }
    od
}

/* invariants: the word's count is exactly the units of the holders inside its generation, and every earlier
 * generation is empty (re-initialization loses and duplicates nothing); WAITERS is only set on a closed word */
#define COUNT_INVARIANT (word.count == held[word.gen] && (word.gen == 0 || held[word.gen - 1] == 0))
active proctype Monitor() {
end:
    atomic {
        !(COUNT_INVARIANT && (!word.waiters || word.closed)) ->
            CHECK(P_REINIT, COUNT_INVARIANT);
            CHECK(P_WAIT, !word.waiters || word.closed)
    }
}

init {
    atomic {
#if NHOLDERS >= 3
        run Holder(1);
#endif
#if NHOLDERS >= 2
        run Holder(1);
#endif
        run Holder(2);
        run Owner(); run AsyncWaiter(); run Registrant()
    }
}
