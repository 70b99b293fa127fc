//! Differential test against the real AWS CLI v2.36.7: see compat-tests/src/differential/.
//! Skipped (and passing) when the reference is not installed.

fn main() -> std::process::ExitCode {
    compat_tests::differential::main(std::path::Path::new(env!("CARGO_BIN_EXE_stand-in-browser")))
}
