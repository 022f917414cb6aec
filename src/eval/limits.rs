//! What stops a runaway evaluation: the [`Limits`] a caller sets (a timeout, a fact count, a
//! cancel flag) and the [`Guard`] that polls them while evaluating, querying and explaining.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;

/// Limits that stop a runaway program: a timeout, a cap on derived facts, and a cancel flag
/// another thread can set. They are checked every 16k join steps and at the end of every
/// round, during loads (evaluation), queries and explanations alike; a limit hit fails the
/// operation with `eval::timeout`, `eval::max_facts` or `eval::cancelled` and, for a load,
/// changes nothing. By default only the timeout is set: what bounds a large evaluation is
/// the memory budget of its [`Runtime`] (`eval::memory`), not a count of facts.
///
/// ```
/// use std::time::Duration;
/// use because::eval::Limits;
/// use because::kb::KnowledgeBase;
///
/// // A program without end: every n has a successor.
/// let endless = "n(0).\nn(Y) :- n(X), Y = X + 1.\n";
/// let mut kb = KnowledgeBase::new(Limits { max_facts: Some(1000), ..Limits::default() });
/// let e = kb.load_str("n.kb", endless, None).unwrap_err();
/// assert_eq!(e.diagnostics.0[0].code, "eval::max_facts");
///
/// let mut kb = KnowledgeBase::new(Limits { timeout: Some(Duration::from_millis(50)), max_facts: None, cancel: None });
/// let e = kb.load_str("n.kb", endless, None).unwrap_err();
/// assert_eq!(e.diagnostics.0[0].code, "eval::timeout");
/// ```
///
/// Cancelling from another thread (as Ctrl-C does in the REPL):
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::time::Duration;
/// use because::eval::Limits;
/// use because::kb::KnowledgeBase;
///
/// let cancel = Arc::new(AtomicBool::new(false));
/// let limits = Limits { timeout: None, max_facts: None, cancel: Some(cancel.clone()) };
/// let mut kb = KnowledgeBase::new(limits);
/// let canceller = std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(50));
///     cancel.store(true, Ordering::Relaxed);
/// });
/// let e = kb.load_str("n.kb", "n(0).\nn(Y) :- n(X), Y = X + 1.\n", None).unwrap_err();
/// canceller.join().unwrap();
/// assert_eq!(e.diagnostics.0[0].code, "eval::cancelled");
/// // Nothing was committed; clear the flag (or set new limits) to go on.
/// kb.limits().cancel.as_ref().unwrap().store(false, Ordering::Relaxed);
/// kb.load_str("p.kb", "p(a).\n", None).unwrap();
/// assert!(kb.query("p(a)").unwrap().holds());
/// ```
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time for one evaluation or query.
    pub timeout: Option<Duration>,
    /// Derived facts (loaded and stated facts do not count); none by default.
    pub max_facts: Option<usize>,
    /// Set from another thread (Ctrl-C) to stop evaluation.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for Limits {
    /// A minute per evaluation or query and no fact count: a runaway such as
    /// `n(Y) :- n(X), Y = X + 1.` meets the runtime's memory budget (or the minute) first,
    /// while a large closure that fits in memory is computed.
    fn default() -> Limits {
        Limits { timeout: Some(Duration::from_secs(60)), max_facts: None, cancel: None }
    }
}

/// Checks limits every few thousand steps.
pub(crate) struct Guard {
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    cancel: Option<Arc<AtomicBool>>,
    ticks: u32,
    /// Where evaluation is, for the message when a limit is hit: set once per stratum...
    pub place: String,
    /// ... and the round within it (0: not in a round), so a round costs no formatting.
    pub round: usize,
}

impl Guard {
    pub(crate) fn new(limits: &Limits) -> Guard {
        Guard {
            // `checked_add`: a timeout too far away to be an instant (`--timeout 1e19`) is no
            // deadline at all rather than an overflow panic.
            deadline: limits.timeout.and_then(|t| Instant::now().checked_add(t)),
            timeout: limits.timeout,
            cancel: limits.cancel.clone(),
            ticks: 0,
            place: String::new(),
            round: 0,
        }
    }

    /// A guard for another thread: the same deadline and cancel flag.
    pub(super) fn fork(&self) -> Guard {
        Guard {
            deadline: self.deadline,
            timeout: self.timeout,
            cancel: self.cancel.clone(),
            ticks: 0,
            place: self.place.clone(),
            round: self.round,
        }
    }

    /// `in stratum 1 (n/1), round 7`.
    pub(crate) fn where_(&self) -> String {
        if self.round == 0 { self.place.clone() } else { format!("{}, round {}", self.place, self.round) }
    }

    #[inline]
    pub(super) fn tick(&mut self) -> Result<(), Diagnostic> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 0x3fff == 0 { self.check() } else { Ok(()) }
    }

    pub(crate) fn check(&self) -> Result<(), Diagnostic> {
        if self.cancel.as_ref().is_some_and(|c| c.load(AtomicOrdering::Relaxed)) {
            return Err(Diagnostic::error("eval::cancelled", format!("cancelled {}", self.where_())));
        }
        if let (Some(deadline), Some(timeout)) = (self.deadline, self.timeout) {
            if Instant::now() >= deadline {
                return Err(Diagnostic::error(
                    "eval::timeout",
                    format!("stopped after {} s (the time limit) {}", timeout.as_secs_f64(), self.where_()),
                )
                .help("raise the limit with --timeout SECS, or look for a rule that derives without end"));
            }
        }
        Ok(())
    }
}
