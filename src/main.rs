//! The `because` binary: everything happens in [`cli`].

mod cli;

fn main() -> std::process::ExitCode {
    fixed_mmap_threshold();
    cli::main()
}

/// glibc's allocator raises its mmap threshold each time a large block is freed (up to 32 MiB),
/// after which the growing vectors of an evaluation are carved from the heap, and what they
/// free stays in the process. A fixed threshold keeps large blocks in their own mappings,
/// returned to the system when freed.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
