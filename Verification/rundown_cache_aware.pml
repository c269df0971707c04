// SPDX-License-Identifier: Apache-2.0
/*
 * rundown_cache_aware.pml -- SPIN model of the cache-aware (per-CPU) run-down protocol, CacheAwareRundownRef,
 * with NSLOTS = 2 slots.
 *
 * Each slot is a word with CLOSED and a holder count; a guard releases on the slot it acquired on. The shared word
 * carries CLOSED, WAITERS, the pending count (of holders still inside once run-down began) and the generation; the
 * waiters, callbacks and generations work exactly as for the plain RundownRef (store.pml, waiting.pml).
 *
 * Actors: Holder(2) (picks a slot per acquisition), Holder(1) and, with NHOLDERS = 3, Holder(0) (their home slot);
 * Owner, AsyncWaiter, Registrant, as in rundown.pml.
 *
 * The protocol (default; PerCPUStorage.swift, PerCPUStorage+Fold.swift):
 *   acquire          touches only its slot: a CAS loop on the slot that refuses once the slot is CLOSED.
 *   closeGeneration  the winner of the shared CAS open -> {CLOSED, pending BIAS} folds the slots; a caller that finds
 *                    the shared word CLOSED with pending >= FIP (a fold, or a re-initialization's re-opening, is in
 *                    progress) waits (Swift: yields and reloads) until it leaves that state. So every beginRundown
 *                    returns only after every slot refuses. Run-down of a generation has begun once the winner has
 *                    closed every slot.
 *   reInitialize     CASes the shared word from completed(g) to "opening" = {gen g+1, CLOSED, pending BIAS}, then
 *                    reopens the slots (CAS CLOSED|0 -> 0 each), then stores open(g+1).
 *
 * Planted bugs (each alone violates no_acquire_after_rundown; check.sh requires that, see README.md):
 *   -DBUG_LOSER_RETURNS_BEFORE_FOLD   a caller that finds the shared word CLOSED returns at once, also while the
 *                    winner is still folding: an acquisition that starts after it returned succeeds on a slot not yet
 *                    folded. Caught by the loser's assertion that run-down of its generation has begun.
 *   -DBUG_REINIT_SLOTS_BEFORE_SHARED  reInitialize reopens the slots first and then stores open(g+1) over the
 *                    completed shared word (no opening state): in between, an acquisition succeeds on a reopened slot
 *                    while the shared word still says "generation g completed". Caught at that acquisition.
 *
 * Alternative protocol (passes every property; README.md, "The alternative: acquire re-checks the shared word"):
 *   -DALT_ACQUIRE_RECHECKS_SHARED     after its slot CAS, acquire loads the shared word and, if run-down has begun
 *                    there, backs out through the slot release and fails; losers of the close CAS return at once;
 *                    reInitialize reopens the slots, then the shared word. Run-down counts as begun at the shared CAS.
 */

#if defined(ALT_ACQUIRE_RECHECKS_SHARED) && \
    (defined(BUG_LOSER_RETURNS_BEFORE_FOLD) || defined(BUG_REINIT_SLOTS_BEFORE_SHARED))
#error "ALT_ACQUIRE_RECHECKS_SHARED is a protocol of its own; the BUG_ defines mutate the default protocol"
#endif
#if defined(ALT_ACQUIRE_RECHECKS_SHARED) || defined(BUG_LOSER_RETURNS_BEFORE_FOLD)
#define LOSER_RETURNS_AT_ONCE 1     /* a caller that finds the shared word CLOSED does not wait for the fold */
#endif
#if defined(ALT_ACQUIRE_RECHECKS_SHARED) || defined(BUG_REINIT_SLOTS_BEFORE_SHARED)
#define REINIT_SLOTS_FIRST 1        /* reInitialize: the slots, then the shared word; no opening state */
#endif

#ifndef NHOLDERS
#define NHOLDERS 3
#endif
#define NSLOTS 2
/* BIAS must exceed the largest total the fold can count, which is NOT just the number of holders: a holder counted
 * on a folded slot can release there (decrementing pending early) and acquire again on a slot not yet folded, to
 * be counted again. So the bound is NSLOTS x (most holders per slot). With -DBIAS=NHOLDERS+1 the count invariant
 * fails (README.md, "The fold bias").
 * As in Swift (foldBias = 2 x maximumSlotCount x (maximumHoldersPerSlot + 1), foldInProgress = foldBias / 2): during
 * a fold pending >= BIAS - NSLOTS x NHOLDERS > FIP; after it pending <= NHOLDERS < FIP. Monitor checks that
 * "CLOSED and pending >= FIP" holds exactly while a fold or a re-opening is in progress. */
#ifndef BIAS
#define BIAS (2 * NSLOTS * (NHOLDERS + 1))
#endif
#define FIP (BIAS / 2)              /* foldInProgress */
#define FOLD_IN_PROGRESS (shared.closed && shared.count >= FIP)

/* ---------------------------------------------------------------- the shared word */
typedef Word {
    bit  closed;            /* CLOSED: run-down has begun */
    bit  waiters;           /* WAITERS: a waiter or callback of this generation is registered */
    byte count;             /* pending: holders still to release after the fold (plus BIAS during the fold) */
    byte gen                /* generation */
};
Word shared;

/* ---------------------------------------------------------------- the slots */
typedef Slot {
    bit  closed;            /* CLOSED: folded into the shared pending count */
    byte count              /* holders that acquired on this slot */
};
Slot slot[NSLOTS];

byte trans;                 /* ghost: acquirers between their slot CAS and the re-check (not holders yet) */
bool busy;                  /* ghost: a fold or a re-opening is in progress */
bool opening;               /* ghost: a re-initialization is re-opening the slots */

#define WORD shared
#define COMPLETED(w)        (w.closed && w.count == 0)
#define HAS_COMPLETED(gg, w) (w.gen != (gg) || COMPLETED(w))
#define SAME_AS_WORD(w)     (w.closed == shared.closed && w.waiters == shared.waiters && \
                             w.count == shared.count && w.gen == shared.gen)

inline load(w) {
    w.closed = shared.closed; w.waiters = shared.waiters; w.count = shared.count; w.gen = shared.gen
}
inline forget(w) {
    w.closed = 0; w.waiters = 0; w.count = 0; w.gen = 0
}

#define MODEL_LOCALS byte myGen, lastGen, s, fold, total; bool undo; Slot ls
#include "store.pml"

#ifdef ALT_ACQUIRE_RECHECKS_SHARED
#define BEGUN_AT_CAS(gg)      begun[gg] = 1
#define BEGUN_AT_FOLD_END(gg)
#else
#define BEGUN_AT_CAS(gg)
#define BEGUN_AT_FOLD_END(gg) begun[gg] = 1
#endif

/* ---------------------------------------------------------------- fast path */

/* acquire on slot s: CAS loop on the slot that refuses once the slot is CLOSED. ok = the slot CAS succeeded;
 * lastGen = the generation seen (for the holder's decision to go home). */
inline acquire() {
    ls.closed = slot[s].closed; ls.count = slot[s].count;
    do
    :: ls.closed -> ok = 0; break                         /* refused; nothing is modified */
    :: else ->
        atomic {
            if
            :: ls.closed == slot[s].closed && ls.count == slot[s].count ->    /* CAS success (acquiring) */
                slot[s].count++;
#ifndef ALT_ACQUIRE_RECHECKS_SHARED
                myGen = shared.gen;                       /* a holder of the shared word's generation (ghost read; */
                CHECK(P_ACQUIRE, !begun[myGen]);          /* while re-opening that is already the next one) */
                held[myGen]++;
#else
                trans++;                                  /* not a holder until the re-check */
#endif
                ok = 1
            :: else -> ls.closed = slot[s].closed; ls.count = slot[s].count
            fi
        }
        if :: ok -> break :: else -> skip fi
    od;
    lastGen = shared.gen; flag = opening;                 /* ghosts: for the holder's decision to go home */
    ls.closed = 0; ls.count = 0
}

/* (-DALT_ACQUIRE_RECHECKS_SHARED) the re-check after the slot CAS: an acquiring load of the shared word */
inline recheckShared() {
    trans--;
    if
    :: !shared.closed ->
        myGen = shared.gen;
        CHECK(P_ACQUIRE, !begun[myGen]);
        held[myGen]++
    :: else -> trans++; undo = 1                          /* run-down has begun: back out, then fail */
    fi
}

/* release on slot s: fetch_sub on the slot; if the slot was closed, this holder was counted in the fold and
 * decrements the shared pending count next (stage 5) */
inline releaseSlot() {
    CHECK(P_REINIT, slot[s].count >= 1);
    slot[s].count--;
    if
    :: slot[s].closed -> stage = 5
    :: else -> stage = 0; s = 0
    fi;
    if
    :: undo -> undo = 0; trans--
    :: else -> held[myGen]--; myGen = 0
    fi
}

/* the shared part of a release: fetch_sub(pending by 1); who brings it to 0 completes (stage 3 if WAITERS) */
inline releaseShared() {
    load(old);
    CHECK(P_REINIT, old.closed && old.count >= 1);
    shared.count--;
    if
    :: old.count == 1 ->
        noteCompletion(old.gen);
        if :: old.waiters -> g = old.gen; stage = 3 :: else -> stage = 0 fi
    :: else -> stage = 0
    fi;
    s = 0;
    forget(old)
}

/* ---------------------------------------------------------------- slow path (word side) */

/* beginRundown: CAS the shared word from open to CLOSED with pending = BIAS; a caller that finds it CLOSED does
 * nothing (g = its generation). The winner then folds the slots: CLOSE_STEPS, as options of the caller's loop.
 * A caller that finds it CLOSED with pending >= FIP (fold or re-opening in progress) yields and reloads until that
 * ends; modelled as a blocking guard (the loop's loads change nothing). Every caller that returns without folding
 * returns only after run-down of its generation has begun (asserted; -DBUG_LOSER_RETURNS_BEFORE_FOLD drops the
 * wait and violates it). */
#ifndef LOSER_RETURNS_AT_ONCE
#define FOLD_WAIT (!FOLD_IN_PROGRESS)
#else
#define FOLD_WAIT true
#endif
inline closeGeneration(when) {
    atomic {
        (when) && FOLD_WAIT ->
        load(old);
        if
        :: !old.closed -> shared.closed = 1; shared.count = BIAS; BEGUN_AT_CAS(old.gen); fold = 1; total = 0;
            busy = 1
        :: else -> CHECK(P_ACQUIRE, begun[old.gen])   /* a loser returns only once every slot refuses */
        fi;
        CHECK(P_WAIT, old.closed || !old.waiters);
        noteClose(old.gen);
        g = old.gen;
        forget(old)
    }
}

/* the winner's fold: for each slot c = slot.fetch_or(CLOSED).count; total += c; then
 * p = shared.fetch_sub(pending by BIAS - total); if p.pending == BIAS - total it completes generation g */
#define CLOSE_STEPS \
    :: atomic { \
            fold > 0 && fold <= NSLOTS -> \
            total = total + slot[fold - 1].count; slot[fold - 1].closed = 1; fold++ \
        } \
    :: atomic { \
            fold == NSLOTS + 1 -> \
            BEGUN_AT_FOLD_END(g); \
            load(old); \
            CHECK(P_REINIT, old.closed && old.gen == g && old.count >= BIAS - total); \
            shared.count = shared.count - (BIAS - total); busy = 0; \
            if \
            :: old.count == BIAS - total -> \
                noteCompletion(g); \
                if :: old.waiters -> fold = NSLOTS + 2 :: else -> fold = 0 fi \
            :: else -> fold = 0 \
            fi; \
            total = 0; forget(old) \
        } \
    :: fold == NSLOTS + 2 -> waitersComplete(g); fold = 0
#define CLOSED (fold == 0)

#ifndef REINIT_SLOTS_FIRST
/* reInitialize: requires the shared word completed(g) (trap otherwise); CAS it to "opening" =
 * {gen g+1, CLOSED, pending BIAS}; then each slot CAS(CLOSED|0 -> 0) (trap otherwise); then store open(g+1)
 * (releasing). Each atomic operation is its own step. */
inline reInitialize(when) {
    atomic {
        when -> result = 0; g = 0; timed = 0;
        assert(COMPLETED(shared));                         /* precondition (misuse trap) */
        CHECK(P_REINIT, held[shared.gen] == 0);
        shared.gen = shared.gen + 1;                       /* CAS completed(g) -> opening(g+1) */
        shared.closed = 1; shared.waiters = 0; shared.count = BIAS;
        busy = 1; opening = 1;
        fold = 0
    }
    do
    :: atomic {
            fold < NSLOTS ->
            CHECK(P_REINIT, slot[fold].closed && slot[fold].count == 0);   /* else the CAS fails: trap */
            slot[fold].closed = 0; slot[fold].count = 0;
            fold++
        }
    :: atomic {
            fold == NSLOTS -> fold = 0;
            CHECK(P_REINIT, shared.closed && !shared.waiters && shared.count == BIAS);  /* nobody touched it */
            shared.closed = 0; shared.waiters = 0; shared.count = 0;
            busy = 0; opening = 0;
            break
        }
    od
}
#else
/* reInitialize, slots first (-DBUG_REINIT_SLOTS_BEFORE_SHARED, -DALT_ACQUIRE_RECHECKS_SHARED): requires the shared
 * word completed; reopens every slot (count 0), then the shared word with generation + 1 (releasing); each store is
 * its own step */
inline reInitialize(when) {
    atomic {
        when -> result = 0; g = 0; timed = 0;
        assert(COMPLETED(shared));                         /* precondition (misuse trap) */
        CHECK(P_REINIT, held[shared.gen] == 0 && slot[0].count == 0);
        slot[0].closed = 0; slot[0].count = 0;
        fold = 1
    }
    do
    :: atomic {
            fold < NSLOTS ->
            CHECK(P_REINIT, slot[fold].count == 0);
            slot[fold].closed = 0; slot[fold].count = 0;
            fold++
        }
    :: atomic {
            fold == NSLOTS -> fold = 0;
            CHECK(P_REINIT, held[shared.gen] == 0);
            shared.gen = shared.gen + 1;
            shared.closed = 0; shared.waiters = 0; shared.count = 0;
            break
        }
    od
}
#endif

#define FINAL_STATE (COMPLETED(shared) && shared.gen == MAXGEN - 1 && trans == 0 && \
                     slot[0].count == 0 && slot[1].count == 0 && slot[0].closed && slot[1].closed)

#include "waiting.pml"

/* ---------------------------------------------------------------- holders */

proctype Holder(byte home) {                               /* home: its slot; NSLOTS = picks one per acquisition */
    byte me = HOLDER;
    LOCALS;
    do
    :: CAS_LOOP {
            stage == 0 ->
            if
            :: home == NSLOTS -> if :: s = 0 :: s = 1 fi
            :: else -> s = home
            fi;
            acquire();
            if
#ifndef ALT_ACQUIRE_RECHECKS_SHARED
            :: ok -> ok = 0; flag = 0; stage = 1          /* inside */
#else
            :: ok -> ok = 0; flag = 0; stage = 6          /* re-check the shared word next */
#endif
            :: !ok && lastGen == MAXGEN - 1 && !flag ->   /* last generation closed (not being re-opened): go home */
                lastGen = 0; s = 0; finished++; break
            :: else -> lastGen = 0; flag = 0; s = 0       /* refused: try again later */
            fi
        }
    :: atomic { stage == 6 -> recheckShared(); stage = 1 }          /* inside, or backing out if undo */
    :: atomic { stage == 1 -> releaseSlot() }
    :: atomic { stage == 5 -> releaseShared() }
    :: stage == 3 -> waitersComplete(g); atomic { g = 0; stage = 0 }
    od
}

/* invariants: while the shared word is open every slot is open and the slot counts add up to the holders of the
 * current generation (plus acquirers still re-checking); earlier generations are empty; "CLOSED with pending >=
 * FIP" exactly while a fold or re-opening is in progress; WAITERS only when closed */
#define COUNT_INVARIANT ((shared.closed || \
                          (!slot[0].closed && !slot[1].closed && \
                           slot[0].count + slot[1].count == held[shared.gen] + trans)) && \
                         (shared.gen == 0 || held[shared.gen - 1] == 0) && \
                         (busy == FOLD_IN_PROGRESS))
active proctype Monitor() {
end:
    atomic {
        !(COUNT_INVARIANT && (!shared.waiters || shared.closed)) ->
            CHECK(P_REINIT, COUNT_INVARIANT);
            CHECK(P_WAIT, !shared.waiters || shared.closed)
    }
}

init {
    atomic {
#if NHOLDERS >= 3
        run Holder(0);
#endif
#if NHOLDERS >= 2
        run Holder(1);
#endif
        run Holder(NSLOTS);
        run Owner(); run AsyncWaiter(); run Registrant()
    }
}
