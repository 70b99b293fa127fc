//! `cargo test -p compat-tests --test golden [-- FILTER...]`
//!
//! Replays every golden case under `fixtures/cases` against the release binary.
//! See `compat_tests::golden_main` for the options.

fn main() -> std::process::ExitCode {
    compat_tests::golden_main(std::path::Path::new(env!("CARGO_BIN_EXE_stand-in-browser")))
}
