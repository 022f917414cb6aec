//! The README's outputs, pictures and example pages are what `because` prints today:
//! `docs/tools/readme.py --check` regenerates them from `docs/tools/README.template.md` with the
//! binary under test and fails listing any file that differs (rewrite them with
//! `cargo build && python3 docs/tools/readme.py`).

use std::process::Command;

#[test]
fn readme_and_its_pictures_are_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg(format!("{root}/docs/tools/readme.py"))
        .arg("--check")
        .env("BECAUSE_BIN", env!("CARGO_BIN_EXE_because"))
        .current_dir(root)
        .output()
        .expect("python3 runs (the README's generator is a Python script)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
