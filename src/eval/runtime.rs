//! How evaluation may use the machine: threads, a large stack, the clock. The library never
//! reads these from the environment; a front end sets them (the CLI reads `BECAUSE_THREADS`).
//! The defaults are portable: on WebAssembly, where a target may have no threads, everything
//! runs on the caller's thread.

/// Machine resources an evaluation, query or explanation may use.
///
/// ```
/// use because::eval::Runtime;
/// use because::kb::KnowledgeBase;
///
/// // One thread, no stack of its own: what a WebAssembly build uses by default.
/// let mut kb = KnowledgeBase::default();
/// kb.set_runtime(Runtime::single_threaded());
/// kb.load_str("p.kb", "p(a).\nq(X) :- p(X).\n", None)?;
/// assert!(kb.query("q(a)")?.holds());
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// Threads a large join may use (1: only the caller's thread). Answers and proofs are the
    /// same for any number.
    pub threads: usize,
    /// Bytes of stack reserved for evaluation, queries and explanations, on a thread of their
    /// own: the join executor recurses once per body literal, so a rule with thousands of
    /// literals needs more than a default 2-8 MiB stack (the memory is only reserved). `None`
    /// runs them on the caller's thread.
    pub stack: Option<usize>,
    /// Whether evaluation reads the clock to report its duration (`EvalStats::elapsed`).
    /// Timeouts read it only when `Limits::timeout` is set.
    pub clock: bool,
    /// Bytes the relations of one evaluation may hold (`eval::memory` beyond; `None`: no
    /// budget). Checked inside every round against what the relations have allocated, plus
    /// what the round's new facts will take, so a runaway stops near the budget rather than
    /// after it. The library cannot know the machine, so its default is [`DEFAULT_MEMORY`];
    /// the command line sets half the machine's memory (`--max-memory`).
    pub memory: Option<usize>,
    /// Whether explanations may be asked for after an evaluation (a session, the library, an
    /// editor). Evaluation then builds the indexes `why` matches rule bodies with, so that each
    /// explanation finds them in the shared relations. `false` (a batch `because run`) builds
    /// them only when the program itself states a `why`, `why not` or what-if query, and
    /// spares their memory otherwise; an explanation asked for anyway still works, indexing
    /// what it needs in its own copy of a relation.
    pub explain_later: bool,
    /// Whether the knowledge base may change after a load (more files, assertions,
    /// retractions, what-if worlds over it). `false` (a batch `because run`) lets a load give
    /// up what only changes use: the loaded tables' rows move into the relations, and the
    /// rows of relations of up to two columns are let go of once nothing evaluates over them,
    /// since their sorted runs give them back (an explanation rebuilds the ones it reads).
    /// Such a load is the last: a later change fails with `api::finished`. A program that
    /// states a what-if query keeps its tables for it.
    pub changes_later: bool,
}

/// The memory budget of [`Runtime::default`]: 4 GiB (1 GiB where addresses have 32 bits).
pub const DEFAULT_MEMORY: usize = (1 << 30) * if usize::BITS >= 64 { 4 } else { 1 };

/// The stack reserved by default where threads exist.
pub const BIG_STACK: usize = 512 << 20;

impl Default for Runtime {
    /// The machine's cores (at most 8), a 512 MiB stack and a memory budget of
    /// [`DEFAULT_MEMORY`]; on WebAssembly, one thread and the caller's stack.
    fn default() -> Runtime {
        if cfg!(target_family = "wasm") {
            return Runtime::single_threaded();
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        Runtime {
            threads: cores,
            stack: Some(BIG_STACK),
            clock: true,
            memory: Some(DEFAULT_MEMORY),
            explain_later: true,
            changes_later: true,
        }
    }
}

impl Runtime {
    /// Everything on the caller's thread.
    ///
    /// ```
    /// let r = because::eval::Runtime::single_threaded();
    /// assert_eq!((r.threads, r.stack), (1, None));
    /// ```
    pub fn single_threaded() -> Runtime {
        Runtime {
            threads: 1,
            stack: None,
            clock: !cfg!(all(target_family = "wasm", target_os = "unknown")),
            memory: Some(DEFAULT_MEMORY),
            explain_later: true,
            changes_later: true,
        }
    }
}
