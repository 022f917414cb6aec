//! Ctrl-C while a command runs: a SIGINT handler that sets the engine's cancel flag.
//!
//! While the line editor reads, the terminal is in raw mode and Ctrl-C arrives as a key (it
//! clears the line). While a command runs, the terminal is back in its normal mode and Ctrl-C
//! raises SIGINT: the handler sets the flag that evaluation polls (`Limits::cancel`), and the
//! command ends with `eval::cancelled`. The handler is installed for the whole REPL rather than
//! around each evaluation, so that a Ctrl-C typed just as a command starts cannot kill the
//! process; the previous handler comes back when the REPL ends. A second Ctrl-C before the
//! command has noticed the first (a step that never polls) ends the process, as it would
//! without the REPL, unless the session holds unsaved assertions: those are not thrown away
//! by a key pressed twice (`:quit` leaves on purpose).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The one flag the handler sets; shared with the engine through `Limits::cancel`.
static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Whether the session holds work that a second Ctrl-C must not throw away.
static UNSAVED: AtomicBool = AtomicBool::new(false);

/// Tells the handler whether a second Ctrl-C may end the process.
pub fn set_unsaved(unsaved: bool) {
    UNSAVED.store(unsaved, Ordering::SeqCst);
}

/// The process's cancel flag.
pub fn flag() -> Arc<AtomicBool> {
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false))).clone()
}

/// Clears the flag before a command runs.
pub fn reset() {
    flag().store(false, Ordering::SeqCst);
}

/// The installed handler; dropping it restores the previous one.
pub struct SigintGuard {
    #[cfg(unix)]
    previous: libc::sigaction,
}

#[cfg(unix)]
extern "C" fn on_sigint(_signal: libc::c_int) {
    // Only async-signal-safe work here: an atomic swap, and on a second press `signal` + `raise`.
    // `FLAG` is initialised before the handler is installed, so `get` is a plain atomic load.
    if let Some(flag) = FLAG.get() {
        if !flag.swap(true, Ordering::SeqCst) || UNSAVED.load(Ordering::SeqCst) {
            return;
        }
    }
    // SAFETY: restoring the default action and re-raising are async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
}

impl SigintGuard {
    /// Installs the handler (a no-op where there are no POSIX signals).
    pub fn install() -> SigintGuard {
        let _ = flag();
        #[cfg(unix)]
        {
            // SAFETY: `sigaction` with a zeroed, then filled, struct; the handler only touches
            // an atomic. The previous action is kept and restored on drop.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                let mut previous: libc::sigaction = std::mem::zeroed();
                libc::sigaction(libc::SIGINT, &action, &mut previous);
                SigintGuard { previous }
            }
        }
        #[cfg(not(unix))]
        SigintGuard {}
    }
}

impl Drop for SigintGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: puts back the action saved by `install`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut());
        }
    }
}
