//! Golden replay harness for aws-eks-token.
//!
//! Every case in `fixtures/cases/<category>/<name>.json` records one run of AWS CLI v2.36.7
//! (`aws eks get-token …`): arguments, environment, home-directory files, a frozen clock and
//! scripted fake HTTP servers, and the outcome (exit status, stdout, stderr, requests made,
//! files written). The harness runs the built `aws-eks-token` the same way and compares.
//! The format is specified in FORMAT.md, which came with the cases.
//!
//! Usage: `cargo build --release && cargo test -p compat-tests --test golden [-- FILTER…]`
//! (or `scripts/test-golden [FILTER…]`).
//!
//! Environment:
//! - `AWS_EKS_TOKEN_BIN`: the binary under test (relative paths are taken from the
//!   workspace root). Default `$CARGO_TARGET_DIR/release/aws-eks-token` when
//!   `CARGO_TARGET_DIR` is set, else `<workspace>/target/release/aws-eks-token`.
//! - `GOLDEN_FILTER`: comma-separated filters, like the command-line ones. A filter selects
//!   the cases whose `category/name` contains it (`token/`, `paramfile`); a trailing `$`
//!   anchors it at the end (`args/paramfile$` is that case only).
//! - `GOLDEN_VERBOSE=1`: also list passing cases, and show known failures in full.
//! - `GOLDEN_JOBS=N`: parallel runs of cases without servers (default: 2 × CPUs, ≤ 8).
//! - `FAKETIME_LIB`: path of `libfaketime.so.1` if not at a standard place.
//! - `GOLDEN_WRAPPER`: words (space-separated) to run the binary with, e.g.
//!   `/usr/lib/wine/wine64 /path/winenv.exe` (see scripts/wine-test).
//! - `GOLDEN_WINDOWS=1`: the binary is a Windows program (run under Wine by the wrapper):
//!   the home directory is given as `%USERPROFILE%`, the case's variables through the
//!   `winenv.exe` launcher, output line ends `\r\n` compare as `\n`, file modes are not
//!   compared, and only the cases that can run there do (`Case::unix_only`:
//!   none that prints a Unix path or runs a Unix program); the others are counted as
//!   skipped.
//!
//! The cases run in a private network namespace with only loopback: the test re-executes
//! itself under `unshare -rn` unless it already runs in one. Where no namespace can be made,
//! the cases that expect a real AWS host not to resolve are skipped (and counted).

pub mod apiserver;
pub mod case;
pub mod compare;
pub mod diff;
pub mod differential;
pub mod known;
pub mod netns;
pub mod run;
pub mod server;
pub mod sigv4_verify;
pub mod stand_in;
pub mod time;
pub mod tls;

use case::Case;
use compare::Mismatch;
use run::Runner;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lines of report per failing case, its `FAIL` line included.
const MAX_FAILURE_LINES: usize = 25;

/// libtest options that take a separate value; their values are not filters.
const LIBTEST_VALUE_FLAGS: [&str; 7] = [
    "--test-threads",
    "--skip",
    "--format",
    "--color",
    "--logfile",
    "--shuffle-seed",
    "-Z",
];

enum Verdict {
    Pass,
    Fail(Vec<Mismatch>),
    /// The case could not be loaded or set up: a harness/fixture problem.
    Error(String),
    /// Not run: the binary is a Windows program and the case is Unix-only, or the case
    /// needs a private network namespace and none could be made.
    Skip(&'static str),
}

struct CaseResult {
    id: String,
    verdict: Verdict,
    elapsed: Duration,
}

/// `stand_in_browser`: the stand-in browser binary (`src/bin/stand-in-browser.rs`).
pub fn golden_main(stand_in_browser: &Path) -> ExitCode {
    match main_inner(stand_in_browser) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(msg) => {
            eprintln!("golden: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn main_inner(stand_in_browser: &Path) -> Result<bool, String> {
    let isolated = netns::isolated();
    if !isolated && std::env::var_os("GOLDEN_IN_NETNS").is_none() {
        if let Some(code) = netns::rerun_isolated("GOLDEN_IN_NETNS") {
            return Ok(code == ExitCode::SUCCESS);
        }
        println!("golden: cannot create a private network namespace (`unshare -rn` failed)");
    }
    let root = workspace_root();
    let verbose = std::env::var("GOLDEN_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let filters = filters();

    let windows = std::env::var("GOLDEN_WINDOWS").is_ok_and(|v| !v.is_empty() && v != "0");
    let runner = Runner {
        bin: binary_under_test(&root)?,
        faketime_lib: faketime_lib()?,
        browser: stand_in_browser.to_path_buf(),
        wrapper: std::env::var("GOLDEN_WRAPPER")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        windows,
        freeze_monotonic: false,
    };
    let isolated = isolated || netns::isolated();
    check_faketime(&runner.faketime_lib)?;

    let all = case::case_files(&root.join("fixtures/cases"))?;
    if all.is_empty() {
        return Err(format!(
            "no cases under {}",
            root.join("fixtures/cases").display()
        ));
    }
    let known = known::load(&root.join("fixtures/known-failing.txt"))?;
    let selected: Vec<&(String, PathBuf)> = all
        .iter()
        .filter(|(id, _)| filters.is_empty() || filters.iter().any(|f| selects(f, id)))
        .collect();
    if selected.is_empty() {
        return Err(format!("no case matches the filter {filters:?}"));
    }

    let started = Instant::now();
    let results = run_all(&runner, isolated, &selected);
    let wall = started.elapsed();

    // Report, in case order.
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut still_failing: Vec<&str> = Vec::new();
    for r in &results {
        let listed = known.cases.get(&r.id);
        match (&r.verdict, listed) {
            (Verdict::Pass, None) => {
                passed += 1;
                if verbose {
                    println!("ok   {} ({} ms)", r.id, r.elapsed.as_millis());
                }
            }
            (Verdict::Pass, Some(_)) => {
                failed += 1;
                println!(
                    "UNEXPECTED PASS {}: remove it from fixtures/known-failing.txt",
                    r.id
                );
            }
            (Verdict::Fail(m), None) => {
                failed += 1;
                print_failure("FAIL", &r.id, m);
            }
            (Verdict::Fail(m), Some(area)) => {
                still_failing.push(&r.id);
                if verbose || !filters.is_empty() {
                    print_failure(&format!("KNOWN FAIL [{area}]"), &r.id, m);
                }
            }
            (Verdict::Skip(why), _) => {
                skipped += 1;
                if verbose {
                    println!("skip {}: {why}", r.id);
                }
            }
            // Setup problems are never excused by the list.
            (Verdict::Error(e), _) => {
                failed += 1;
                println!("FAIL {}: could not run the case: {e}", r.id);
            }
        }
    }
    for id in known.cases.keys() {
        if !all.iter().any(|(c, _)| c == id) {
            failed += 1;
            println!("FAIL fixtures/known-failing.txt lists {id}, which is not a case");
        }
    }
    for e in &known.errors {
        failed += 1;
        println!("FAIL {e}");
    }

    println!(
        "{} known-failing cases still fail{}{}",
        still_failing.len(),
        if still_failing.is_empty() { "" } else { ": " },
        still_failing.join(", ")
    );
    println!(
        "ran {} of {} cases in {:.1}s with {}",
        results.len() - skipped,
        all.len(),
        wall.as_secs_f64(),
        runner.bin.display()
    );
    if skipped > 0 {
        let mut why = std::collections::BTreeMap::new();
        for r in &results {
            if let Verdict::Skip(w) = r.verdict {
                *why.entry(w).or_insert(0) += 1;
            }
        }
        let why: Vec<String> = why.iter().map(|(w, n)| format!("{n}: {w}")).collect();
        println!("{skipped} cases skipped ({})", why.join("; "));
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// Cases without servers run in parallel; cases with servers (fixed ports) run one at a
/// time afterwards, so no server-less case can reach a port a fake server listens on.
fn run_all(runner: &Runner, isolated: bool, selected: &[&(String, PathBuf)]) -> Vec<CaseResult> {
    let mut loaded: Vec<(String, Result<Case, String>)> = selected
        .iter()
        .map(|(id, path)| (id.clone(), case::load(id, path)))
        .collect();
    let has_servers = |c: &Result<Case, String>| c.as_ref().is_ok_and(|c| !c.servers.is_empty());
    let (serial, parallel): (Vec<_>, Vec<_>) = loaded.drain(..).partition(|(_, c)| has_servers(c));

    let results = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs() {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((id, case)) = parallel.get(i) else {
                    break;
                };
                let r = run_one(runner, isolated, id, case);
                results.lock().unwrap().push(r);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    for (id, case) in &serial {
        results.push(run_one(runner, isolated, id, case));
    }
    results.sort_by(|a, b| a.id.cmp(&b.id));
    results
}

fn run_one(runner: &Runner, isolated: bool, id: &str, case: &Result<Case, String>) -> CaseResult {
    let started = Instant::now();
    let verdict = match case {
        Err(e) => Verdict::Error(format!("invalid case file: {e}")),
        Ok(case) if runner.windows && case.unix_only().is_some() => {
            Verdict::Skip(case.unix_only().unwrap_or_default())
        }
        Ok(case) if !isolated && case.needs_isolation().is_some() => {
            Verdict::Skip(case.needs_isolation().unwrap_or_default())
        }
        Ok(case) => match runner.run(case) {
            Err(e) => Verdict::Error(e),
            Ok(mut outcome) => {
                let mut m = Vec::new();
                if case.normalize_pkce {
                    m = compare::normalize_pkce(&mut outcome);
                }
                m.extend(compare::compare(case, &outcome));
                if m.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail(m)
                }
            }
        },
    };
    CaseResult {
        id: id.to_owned(),
        verdict,
        elapsed: started.elapsed(),
    }
}

fn print_failure(tag: &str, id: &str, mismatches: &[Mismatch]) {
    let what: Vec<&str> = mismatches.iter().map(|m| m.what.as_str()).collect();
    println!("{tag} {id}: {}", what.join("; "));
    let detail: Vec<&String> = mismatches.iter().flat_map(|m| &m.detail).collect();
    let room = MAX_FAILURE_LINES - 1;
    if detail.len() > room {
        for line in &detail[..room - 1] {
            println!("{line}");
        }
        println!("  … ({} more lines)", detail.len() - (room - 1));
    } else {
        for line in detail {
            println!("{line}");
        }
    }
}

pub fn workspace_root() -> PathBuf {
    // At run time cargo sets CARGO_MANIFEST_DIR to compat-tests/; fall back to the value
    // at build time when the test binary is started directly.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

pub fn binary_under_test(root: &Path) -> Result<PathBuf, String> {
    let (bin, explicit) = match std::env::var_os("AWS_EKS_TOKEN_BIN") {
        Some(b) if !b.is_empty() => (root.join(b), true),
        _ => {
            let target = match std::env::var_os("CARGO_TARGET_DIR") {
                Some(t) if !t.is_empty() => root.join(t),
                _ => root.join("target"),
            };
            (target.join("release/aws-eks-token"), false)
        }
    };
    if bin.is_file() {
        return Ok(bin);
    }
    Err(if explicit {
        format!("AWS_EKS_TOKEN_BIN={} does not exist", bin.display())
    } else {
        format!(
            "the binary under test {} does not exist: run `cargo build --release` first \
             (or use scripts/test-golden, or set AWS_EKS_TOKEN_BIN)",
            bin.display()
        )
    })
}

/// The reference AWS CLI v2.36.7: `AWS_CLI_V2`, else where `scripts/setup` installs it
/// (`${XDG_CACHE_HOME:-~/.cache}/awscli-v2.36.7/bin/aws`); `None` when there is none. An
/// executable there that is another version is an error.
pub fn reference_cli() -> Result<Option<PathBuf>, String> {
    if let Some(p) = std::env::var_os("AWS_CLI_V2").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        check_version(&p)?;
        return Ok(Some(p));
    }
    let cache = match std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
        Some(c) => PathBuf::from(c),
        None => match std::env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(".cache"),
            None => return Ok(None),
        },
    };
    let p = cache.join("awscli-v2.36.7/bin/aws");
    if !p.is_file() {
        return Ok(None);
    }
    check_version(&p)?;
    Ok(Some(p))
}

fn check_version(aws: &std::path::Path) -> Result<(), String> {
    let out = std::process::Command::new(aws)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run the reference {}: {e}", aws.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.starts_with("aws-cli/2.36.7 ") {
        return Err(format!(
            "{} is not AWS CLI 2.36.7 (it says {:?})",
            aws.display(),
            text.trim()
        ));
    }
    Ok(())
}

pub fn faketime_lib() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FAKETIME_LIB").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("FAKETIME_LIB={} does not exist", p.display()))
        };
    }
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/lib64/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ];
    if let Some(p) = candidates.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Ok(p);
    }
    // Debian/Ubuntu on another architecture.
    if let Ok(out) = std::process::Command::new("dpkg")
        .args(["-L", "libfaketime"])
        .output()
    {
        let listing = String::from_utf8_lossy(&out.stdout);
        if let Some(p) = listing.lines().find(|l| l.ends_with("/libfaketime.so.1")) {
            return Ok(PathBuf::from(p));
        }
    }
    Err(
        "libfaketime not found: install it (`apt-get install faketime`) or set FAKETIME_LIB \
         to the path of libfaketime.so.1"
            .into(),
    )
}

/// Makes sure the preloaded library really freezes the wall clock.
pub fn check_faketime(lib: &Path) -> Result<(), String> {
    let out = std::process::Command::new("/bin/date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%S"])
        .env_clear()
        .env("TZ", "UTC")
        .env("LD_PRELOAD", lib)
        .env("FAKETIME", "2001-02-03 04:05:06")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .output()
        .map_err(|e| format!("cannot run /bin/date to check libfaketime: {e}"))?;
    let got = String::from_utf8_lossy(&out.stdout);
    if got.trim() != "2001-02-03T04:05:06" {
        return Err(format!(
            "libfaketime at {} does not freeze the clock (date printed {:?})",
            lib.display(),
            got.trim()
        ));
    }
    Ok(())
}

/// Filters from `GOLDEN_FILTER` and from the command line (after `--`), ignoring the
/// options cargo and libtest pass to test binaries.
fn filters() -> Vec<String> {
    let mut raw: Vec<String> = std::env::var("GOLDEN_FILTER").into_iter().collect();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a.starts_with('-') {
            if LIBTEST_VALUE_FLAGS.contains(&a.as_str()) {
                args.next();
            }
            continue;
        }
        raw.push(a);
    }
    raw.iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

fn selects(filter: &str, id: &str) -> bool {
    match filter.strip_suffix('$') {
        Some(tail) => id.ends_with(tail),
        None => id.contains(filter),
    }
}

fn jobs() -> usize {
    if let Some(n) = std::env::var("GOLDEN_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
    {
        return n.max(1);
    }
    // Most of a run is process start-up and waiting, so twice the CPUs keeps them busy.
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() * 2)
        .min(8)
}

#[cfg(test)]
mod tests {
    use super::selects;

    #[test]
    fn filter_selection() {
        assert!(selects("token/", "token/cluster-1"));
        assert!(selects("cluster-1", "token/cluster-100-chars"));
        assert!(!selects("token/cluster-1$", "token/cluster-100-chars"));
        assert!(selects("token/cluster-1$", "token/cluster-1"));
    }
}
