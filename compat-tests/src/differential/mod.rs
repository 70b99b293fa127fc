//! Differential testing against the real AWS CLI v2.36.7.
//!
//! A seeded generator makes invocations (argv, environment, config files, fake STS / SSO /
//! container / IMDS servers); each is run by the golden harness's [`Runner`] against the
//! reference and against the binary under test, under the same frozen clock. The reference's
//! outcome becomes the case's `expect` (the golden format, FORMAT.md) and the binary's
//! outcome is compared with it by [`compare`], exactly as a recorded case would be. A
//! difference is printed with its seed, its index, a readable diff and the case as JSON,
//! ready to be saved under `fixtures/cases/`.
//!
//! Environment:
//! - `AWS_CLI_V2`: the reference `aws` (default `${XDG_CACHE_HOME:-~/.cache}/awscli-v2.36.7/
//!   bin/aws`, where `../shared/reference/awscli-v2/install` puts it). Without one the test
//!   says it was skipped, and passes.
//! - `DIFF_CASES`: how many cases (default 1000), spread over the seeds.
//! - `DIFF_SEED`: comma-separated seeds (default `1,2,3,4`), or `time` for one seed taken
//!   from the clock (printed).
//! - `DIFF_CASE=SEED:INDEX`: only that case, printed with the reference's outcome (and the
//!   difference, if any).
//! - `DIFF_JOBS`: cases run at once (default 2 × CPUs, at most 8).
//! - `DIFF_GEN=NAME`: only the cases of the generators whose name contains `NAME`
//!   (`eks-update-kubeconfig`, `sts-get-caller-identity`, …); their indices stay those of
//!   the full run, and `DIFF_CASES` counts only them.
//! - `DIFF_LIST=1`: also print one line per case with no difference: its exit code and
//!   the last line of its stderr (to see which paths the generators reach).
//! - `DIFF_SAVE=DIR`: also write each differing case (with the reference's outcome as
//!   `expect`) to `DIR/<name>.json`.
//! - `AWS_EKS_TOKEN_BIN`, `FAKETIME_LIB`: as for the golden test.
//!
//! Every case runs in a private network namespace with only loopback: the test re-executes
//! itself under `unshare -rn` unless it already runs in one. Each concurrent case gets its
//! own fake-server ports (12 per job in 28700-28795).

pub mod common;
pub mod credentials;
pub mod get_caller_identity;
pub mod get_token;
pub mod query;
pub mod rng;
pub mod spec;
pub mod update_kubeconfig;

use crate::case::{self, Case};
use crate::compare::{self, is_excluded, Mismatch};
use crate::netns;
use crate::run::{Outcome, Runner};
use rng::Rng;
use serde_json::{json, Map, Value};
use spec::{content_value, CaseSpec, Draw};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Ports per concurrent case.
const PORTS_PER_JOB: u16 = 12;
const FIRST_PORT: u16 = 28700;
const MAX_JOBS: usize = 8;

/// Makes the invocations of one command.
pub trait Generator: Sync {
    /// Short name, part of every case name (`eks-get-token`).
    fn name(&self) -> &'static str;
    /// One case; all randomness comes from `d`.
    fn generate(&self, d: &mut Draw) -> CaseSpec;
}

/// Every command's generator. Cases cycle through them.
pub fn generators() -> Vec<Box<dyn Generator>> {
    vec![
        Box::new(get_token::GetToken),
        Box::new(update_kubeconfig::UpdateKubeconfig),
        Box::new(get_caller_identity::GetCallerIdentity),
    ]
}

/// One generated case, identified by its seed and index.
pub struct Generated {
    pub seed: u64,
    pub index: u64,
    pub name: String,
    /// The case in the golden format, without `expect`.
    pub input: Value,
}

/// Case `index` of `seed`, for a job whose fake servers may use `ports`.
pub fn generate(gens: &[Box<dyn Generator>], seed: u64, index: u64, ports: Vec<u16>) -> Generated {
    let gen = &gens[(index % gens.len() as u64) as usize];
    let mut d = Draw::new(Rng::new(seed, index), ports);
    let spec = gen.generate(&mut d);
    let name = format!("{}-s{seed}-{index}", gen.name());
    let description = format!(
        "differential seed {seed} case {index}: {}",
        d.tags().join("; ")
    );
    Generated {
        seed,
        index,
        input: spec.to_json(&name, &description),
        name,
    }
}

/// The outcome of a run as the golden format's `expect`.
pub fn expect_of(out: &Outcome, with_requests: bool) -> Value {
    let mut e = Map::new();
    e.insert("rc".into(), json!(out.rc.unwrap_or(-1)));
    e.extend(content_value("stdout", &out.stdout));
    e.extend(content_value("stderr", &out.stderr));
    if with_requests {
        let mut r = Map::new();
        for (kind, list) in &out.requests {
            r.insert(kind.clone(), Value::Array(list.clone()));
        }
        e.insert("requests".into(), Value::Object(r));
    }
    let mut files = Map::new();
    for (path, (content, mode)) in &out.changed_files {
        if is_excluded(path) {
            continue;
        }
        let mut f = content_value("content", content);
        f.insert("mode".into(), format!("{mode:04o}").into());
        files.insert(path.clone(), Value::Object(f));
    }
    if !files.is_empty() {
        e.insert("files".into(), Value::Object(files));
    }
    Value::Object(e)
}

fn with_expect(input: &Value, expect: Value) -> Value {
    let mut v = input.clone();
    v.as_object_mut().unwrap().insert("expect".into(), expect);
    v
}

fn parse(g: &Generated, v: &Value) -> Result<Case, String> {
    case::parse(&format!("differential/{}", g.name), v)
}

enum Verdict {
    /// Ours behaves as the reference, which exited with this code; the case with the
    /// reference's outcome.
    Same(i32, Value),
    /// Ours differs from the reference: the mismatches and the case with the reference's
    /// outcome as `expect`.
    Differs(Vec<Mismatch>, Value),
    /// The reference hung, was killed, or gave another outcome when run again: the
    /// generator made a case that cannot be compared.
    Unstable(String, Value),
    /// The case could not be set up.
    Error(String),
}

struct Tools {
    reference: Runner,
    ours: Runner,
}

/// Runs one case against the reference, then against ours; on a difference the reference
/// runs again, to tell a divergence from a case with no stable outcome.
fn check(tools: &Tools, g: &Generated) -> Verdict {
    let has_servers = g.input.get("servers").is_some();
    let placeholder = json!({"rc": 0, "stdout": "", "stderr": ""});
    let ref_case = match parse(g, &with_expect(&g.input, placeholder)) {
        Ok(c) => c,
        Err(e) => return Verdict::Error(format!("generated an invalid case: {e}")),
    };
    let first = match tools.reference.run(&ref_case) {
        Ok(o) => o,
        Err(e) => return Verdict::Error(e),
    };
    let full = with_expect(&g.input, expect_of(&first, has_servers));
    if first.hung || first.pipes_held || first.rc.is_none() {
        return Verdict::Unstable(
            "the reference hung or was killed (make the generator avoid this case)".into(),
            full,
        );
    }
    let case = match parse(g, &full) {
        Ok(c) => c,
        Err(e) => {
            return Verdict::Error(format!("the reference's outcome is not a valid case: {e}"))
        }
    };
    let ours = match tools.ours.run(&case) {
        Ok(o) => o,
        Err(e) => return Verdict::Error(e),
    };
    let mismatches = compare::compare(&case, &ours);
    if mismatches.is_empty() {
        return Verdict::Same(case.expect.rc, full);
    }
    match tools.reference.run(&case) {
        Err(e) => Verdict::Error(e),
        Ok(again) => {
            let unstable = compare::compare(&case, &again);
            if unstable.is_empty() {
                Verdict::Differs(mismatches, full)
            } else {
                let what: Vec<String> = unstable.iter().map(|m| m.what.clone()).collect();
                Verdict::Unstable(
                    format!(
                        "the reference's outcome changed between two runs: {}",
                        what.join("; ")
                    ),
                    full,
                )
            }
        }
    }
}

struct Config {
    seeds: Vec<u64>,
    cases: u64,
    only: Option<(u64, u64)>,
    /// `DIFF_GEN`: run only the generators whose name contains this.
    gen: Option<String>,
    /// `DIFF_LIST`: a line per case with no difference.
    list: bool,
    jobs: usize,
    save: Option<PathBuf>,
}

fn config() -> Result<Config, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let cases = match var("DIFF_CASES") {
        Some(n) => n
            .parse()
            .map_err(|_| format!("DIFF_CASES={n:?} is not a number"))?,
        None => 1000,
    };
    let seeds = match var("DIFF_SEED").as_deref() {
        None => vec![1, 2, 3, 4],
        Some("time") => vec![std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())],
        Some(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("DIFF_SEED: {s:?} is not a number"))
            })
            .collect::<Result<_, _>>()?,
    };
    let only = match var("DIFF_CASE") {
        None => None,
        Some(c) => {
            let (s, i) = c
                .split_once(':')
                .ok_or_else(|| format!("DIFF_CASE={c:?}: expected SEED:INDEX"))?;
            let n = |x: &str| {
                x.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("DIFF_CASE={c:?}: expected SEED:INDEX"))
            };
            Some((n(s)?, n(i)?))
        }
    };
    let jobs = match var("DIFF_JOBS") {
        Some(j) => j
            .parse::<usize>()
            .map_err(|_| format!("DIFF_JOBS={j:?} is not a number"))?,
        None => std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
    }
    .clamp(1, MAX_JOBS);
    Ok(Config {
        seeds,
        cases,
        only,
        jobs,
        gen: var("DIFF_GEN"),
        list: var("DIFF_LIST").is_some(),
        save: var("DIFF_SAVE").map(PathBuf::from),
    })
}

/// `browser`: the stand-in browser binary, for cases that open one.
pub fn main(browser: &Path) -> ExitCode {
    match main_inner(browser) {
        Ok(code) => code,
        Err(e) => {
            println!("differential: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main_inner(browser: &Path) -> Result<ExitCode, String> {
    let cfg = config()?;
    if cfg.cases == 0 && cfg.only.is_none() {
        println!("differential: skipped (DIFF_CASES=0)");
        return Ok(ExitCode::SUCCESS);
    }
    let Some(reference_aws) = crate::reference_cli()? else {
        println!(
            "differential: SKIPPED: no reference AWS CLI v2.36.7 (set AWS_CLI_V2, or run \
             scripts/setup, which installs it from ../shared/reference when present)"
        );
        return Ok(ExitCode::SUCCESS);
    };
    if !netns::isolated() {
        if std::env::var_os("DIFF_IN_NETNS").is_some() {
            return Err("still not in a private network namespace after unshare".into());
        }
        return Ok(netns::rerun_isolated("DIFF_IN_NETNS").unwrap_or_else(|| {
            println!(
                "differential: SKIPPED: cannot create a private network namespace \
                 (`unshare -rn` failed); generated cases must not reach the network"
            );
            ExitCode::SUCCESS
        }));
    }

    let root = crate::workspace_root();
    let faketime = crate::faketime_lib()?;
    crate::check_faketime(&faketime)?;
    let tools = Tools {
        reference: Runner {
            bin: reference_aws,
            faketime_lib: faketime.clone(),
            browser: browser.to_path_buf(),
            wrapper: Vec::new(),
            windows: false,
            freeze_monotonic: true,
        },
        ours: Runner {
            bin: crate::binary_under_test(&root)?,
            faketime_lib: faketime,
            browser: browser.to_path_buf(),
            wrapper: Vec::new(),
            windows: false,
            freeze_monotonic: false,
        },
    };
    if let Some(dir) = &cfg.save {
        std::fs::create_dir_all(dir).map_err(|e| format!("DIFF_SAVE: {e}"))?;
    }
    let gens = generators();

    let wanted: Vec<bool> = gens
        .iter()
        .map(|g| {
            cfg.gen
                .as_ref()
                .is_none_or(|w| g.name().contains(w.as_str()))
        })
        .collect();
    if !wanted.contains(&true) {
        return Err(format!("DIFF_GEN={:?} names no generator", cfg.gen));
    }
    let work: Vec<(u64, u64)> = match cfg.only {
        Some(one) => vec![one],
        None => {
            let n = cfg.seeds.len() as u64;
            (0..)
                .map(|k| (cfg.seeds[(k % n) as usize], k / n))
                .filter(|&(_, index)| wanted[(index % gens.len() as u64) as usize])
                .take(cfg.cases as usize)
                .collect()
        }
    };
    println!(
        "differential: {} cases, seeds {:?}, {} jobs; reference {}, under test {}",
        work.len(),
        cfg.seeds,
        cfg.jobs,
        tools.reference.bin.display(),
        tools.ours.bin.display()
    );

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let counts = Mutex::new([0usize; 4]);
    let exit_codes = Mutex::new(std::collections::BTreeMap::<i32, usize>::new());
    let print = Mutex::new(());
    std::thread::scope(|scope| {
        for job in 0..cfg.jobs {
            let (tools, gens, work, cfg) = (&tools, &gens, &work, &cfg);
            let (next, done, counts, print) = (&next, &done, &counts, &print);
            let exit_codes = &exit_codes;
            scope.spawn(move || {
                let base = FIRST_PORT + job as u16 * PORTS_PER_JOB;
                let ports: Vec<u16> = (base..base + PORTS_PER_JOB).collect();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(seed, index)) = work.get(i) else {
                        break;
                    };
                    let g = generate(gens, seed, index, ports.clone());
                    let verdict = check(tools, &g);
                    let _lock = print.lock().unwrap();
                    report(&g, &verdict, cfg);
                    let slot = match verdict {
                        Verdict::Same(rc, _) => {
                            *exit_codes.lock().unwrap().entry(rc).or_default() += 1;
                            0
                        }
                        Verdict::Differs(..) => 1,
                        Verdict::Unstable(..) => 2,
                        Verdict::Error(_) => 3,
                    };
                    counts.lock().unwrap()[slot] += 1;
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if n % 100 == 0 && n < work.len() {
                        let c = counts.lock().unwrap();
                        println!(
                            "… {n}/{} cases, {} differences, {:.0}s",
                            work.len(),
                            c[1],
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            });
        }
    });
    let wall = started.elapsed();
    let [same, differ, unstable, errors] = *counts.lock().unwrap();
    println!(
        "differential: {} cases in {:.1}s ({:.2}s per case): {same} same, {differ} differences, \
         {unstable} without a stable reference outcome, {errors} errors",
        work.len(),
        wall.as_secs_f64(),
        wall.as_secs_f64() / work.len().max(1) as f64
    );
    let codes: Vec<String> = exit_codes
        .lock()
        .unwrap()
        .iter()
        .map(|(rc, n)| format!("{rc}: {n}"))
        .collect();
    println!(
        "exit codes of the cases with no difference: {}",
        codes.join(", ")
    );
    Ok(if differ + unstable + errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report(g: &Generated, verdict: &Verdict, cfg: &Config) {
    let head = format!("seed {} case {} ({})", g.seed, g.index, g.name);
    let case_json = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match verdict {
        Verdict::Same(rc, full) => {
            if cfg.only.is_some() {
                println!("SAME {head}\n{}", case_json(full));
            } else if cfg.list {
                let stderr = full["expect"]["stderr"].as_str().unwrap_or("");
                let last = stderr.trim_end().lines().last().unwrap_or("");
                println!(
                    "same {head}: rc {rc}: {}",
                    last.chars().take(120).collect::<String>()
                );
            }
        }
        Verdict::Differs(m, full) => {
            let what: Vec<&str> = m.iter().map(|m| m.what.as_str()).collect();
            println!("DIFFERENCE {head}: {}", what.join("; "));
            println!("  {}", full["description"].as_str().unwrap_or(""));
            for line in m.iter().flat_map(|m| &m.detail) {
                println!("{line}");
            }
            println!(
                "  the case, with the reference's outcome (reproduce: DIFF_CASE={}:{}):\n{}",
                g.seed,
                g.index,
                case_json(full)
            );
            save(cfg, g, full);
        }
        Verdict::Unstable(why, full) => {
            println!("UNSTABLE {head}: {why}\n{}", case_json(full));
            save(cfg, g, full);
        }
        Verdict::Error(e) => println!("ERROR {head}: {e}"),
    }
}

fn save(cfg: &Config, g: &Generated, full: &Value) {
    if let Some(dir) = &cfg.save {
        let text = serde_json::to_string_pretty(full).unwrap_or_default() + "\n";
        let _ = std::fs::write(dir.join(format!("{}.json", g.name)), text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every generated case is a valid golden case, and the same numbers give the same case.
    #[test]
    fn generated_cases_are_valid_and_reproducible() {
        let gens = generators();
        for index in 0..500 {
            let ports: Vec<u16> = (28700..28712).collect();
            let g = generate(&gens, 9, index, ports.clone());
            let again = generate(&gens, 9, index, ports);
            assert_eq!(g.input, again.input);
            let full = with_expect(&g.input, json!({"rc": 0, "stdout": "", "stderr": ""}));
            if let Err(e) = parse(&g, &full) {
                panic!(
                    "case {index}: {e}\n{}",
                    serde_json::to_string_pretty(&full).unwrap()
                );
            }
            for (_, s) in g.input["servers"].as_object().into_iter().flatten() {
                let port = s["port"].as_u64().unwrap();
                assert!((28700..28712).contains(&port), "case {index}: port {port}");
            }
        }
    }
}
