//! Our own cache directory and the advisory locks that make many kubectl processes started
//! together share one STS / SSO call: the first takes the lock, calls, writes the cache and
//! lets go; the others wait for that one call, then read what it wrote.
//!
//! Everything lives under `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/` (directory 0700,
//! files 0600, created so), used only when it passes `trust::private_dir` (never a
//! relative path: no home directory, no cache of ours). `AWS_EKS_TOKEN_NO_CACHE` (any
//! non-empty value) turns our extra caching off: no locks, no `--role-arn` cache; the AWS
//! CLI's own cache is still used, as the CLI uses it. Nothing here can fail a call:
//! without a usable directory the call just goes ahead alone.
//!
//! The waiting policy: a process waits for at most one other process's call. When that
//! call's result cannot be shared (the cache could not be written, the credentials expire
//! too soon, the call failed), every waiter stops waiting as soon as the call ends and
//! makes its own call, in parallel, without the lock. A process holds at most one lock at
//! a time: a call made while holding one (the source credentials of an assume-role
//! chain) takes no other.

use std::cell::Cell;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::cache::JsonFileCache;
use super::trust;
use crate::aws::sigv4::Credentials;
use crate::settings::Env;
use crate::time::Timestamp;
use crate::time::UtcTime;

pub const NO_CACHE_VAR: &str = "AWS_EKS_TOKEN_NO_CACHE";

/// The longest a process waits for another's call, should that one hang (a call ends
/// the wait as soon as it ends; this bounds a stuck holder, e.g. a stopped process).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// How often a waiter looks whether the call it waits for has ended.
const POLL: Duration = Duration::from_millis(5);

thread_local! {
    /// Whether this thread holds a lock (then it takes no other).
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/<sub>`, made (0700) if missing; `None` when
/// caching is off, there is no home directory, or the directory cannot be made or
/// trusted (read-only HOME, another user's directory, ...).
pub fn dir(env: &Env, sub: &str) -> Option<PathBuf> {
    if env.non_empty(NO_CACHE_VAR).is_some() {
        return None;
    }
    let base = cache_base(env.non_empty("XDG_CACHE_HOME"), env.home())?;
    let dir = base.join("aws-eks-token").join(sub);
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    let _ = builder.create(&dir);
    trust::private_dir(&dir, 2)
}

/// `XDG_CACHE_HOME` when it is absolute, else `<home>/.cache` when the home directory is
/// absolute: never a directory relative to the working directory.
fn cache_base(xdg: Option<&str>, home: Option<String>) -> Option<PathBuf> {
    if let Some(xdg) = xdg.filter(|x| Path::new(x).is_absolute()) {
        return Some(PathBuf::from(xdg));
    }
    let base = Path::new(&home?).join(".cache");
    base.is_absolute().then_some(base)
}

/// The entry `key` of `cache` while it is fresh, else what `fetch` returns. `fetch` runs
/// under the lock `lock` after a second look at the cache (another process may have
/// refreshed it), or, when another process held the lock, after that process's call and a
/// second look; without a lock (caching off, no directory, nested) it runs at once.
pub fn cached_or_fetch<E>(
    env: &Env,
    cache: &JsonFileCache,
    key: &str,
    lock: &str,
    fetch: impl FnOnce() -> Result<(Credentials, Timestamp), E>,
) -> Result<(Credentials, Timestamp), E> {
    if let Some(found) = cache.fresh(key, UtcTime::now()) {
        return Ok(found);
    }
    if HOLDING.get() {
        crate::debug_log!(LOGGER, "DEBUG", "Lock {lock}: not taken, one is held");
        return fetch();
    }
    let Some(dir) = dir(env, "locks") else {
        return fetch();
    };
    match Lock::take_or_wait(&dir.join(format!("{lock}.lock"))) {
        Some(Turn::Holder(lock_file)) => {
            crate::debug_log!(LOGGER, "DEBUG", "Lock {lock}: taken");
            if let Some(found) = cache.fresh(key, UtcTime::now()) {
                return Ok(found);
            }
            HOLDING.set(true);
            let result = fetch();
            HOLDING.set(false);
            lock_file.done();
            result
        }
        Some(Turn::Waited) => {
            crate::debug_log!(LOGGER, "DEBUG", "Lock {lock}: waited for one call");
            match cache.fresh(key, UtcTime::now()) {
                Some(found) => Ok(found),
                None => fetch(),
            }
        }
        None => fetch(),
    }
}

/// The logger of our `--debug` lines about locks (the CLI has none).
const LOGGER: &str = "aws_eks_token.single_flight";

/// A lock file. Its length counts the calls made under it: a holder adds one before it
/// lets go, so a waiter sees that the call it waited for has ended even when another
/// process takes the lock right after.
struct Lock {
    file: File,
}

enum Turn {
    /// This process holds the lock: it makes the call (`done` when it has).
    Holder(Lock),
    /// Another process held it and has made its call (or it died, or `LOCK_WAIT` passed).
    Waited,
}

impl Lock {
    /// Take the lock, or wait for the call of the process that holds it; `None` when
    /// there is no usable lock file.
    fn take_or_wait(path: &Path) -> Option<Turn> {
        let file = trust::open_lock(path)?;
        let calls = |f: &File| f.metadata().map(|m| m.len()).ok();
        let before = calls(&file);
        match file.try_lock() {
            Ok(()) => return Some(Turn::Holder(Lock { file })),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(_)) => return None,
        }
        let start = Instant::now();
        loop {
            std::thread::sleep(POLL);
            if calls(&file) != before || start.elapsed() >= LOCK_WAIT {
                return Some(Turn::Waited);
            }
            match file.try_lock() {
                Ok(()) => {
                    // Let go at once: whoever held it is done (or died).
                    let _ = file.unlock();
                    return Some(Turn::Waited);
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(_)) => return Some(Turn::Waited),
            }
        }
    }

    /// Count the call, then let go (closing the file releases the lock, also when the
    /// process dies: a crashed holder never blocks the others).
    fn done(self) {
        let len = self.file.metadata().map_or(0, |m| m.len());
        let _ = self.file.set_len(if len >= 4096 { 0 } else { len + 1 });
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(home: &std::path::Path, extra: &[(&str, &str)]) -> Env {
        let mut vars: std::collections::BTreeMap<String, String> =
            [("HOME".to_string(), home.display().to_string())].into();
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        Env(vars)
    }

    #[test]
    fn directory_is_private_and_optional() {
        let home = tempfile::tempdir().unwrap();
        let d = dir(&env(home.path(), &[]), "locks").unwrap();
        assert!(d.ends_with(".cache/aws-eks-token/locks"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
        assert_eq!(
            dir(&env(home.path(), &[(NO_CACHE_VAR, "1")]), "locks"),
            None
        );
        let xdg = home.path().join("xdg");
        let d = dir(
            &env(home.path(), &[("XDG_CACHE_HOME", xdg.to_str().unwrap())]),
            "x",
        )
        .unwrap();
        assert!(d.starts_with(xdg.canonicalize().unwrap()));
    }

    /// No home directory (HOME unset, no password entry; Windows without one) or a
    /// relative one: no cache of ours, never `./~/.cache` in the working directory.
    #[test]
    fn the_cache_is_never_relative() {
        assert_eq!(cache_base(None, None), None);
        assert_eq!(cache_base(None, Some("~".into())), None);
        assert_eq!(cache_base(None, Some("rel/home".into())), None);
        assert_eq!(cache_base(Some("rel"), None), None);
        assert_eq!(
            cache_base(Some("rel"), Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.cache"))
        );
        assert_eq!(cache_base(Some("/xdg"), None), Some(PathBuf::from("/xdg")));
    }

    #[test]
    fn holders_exclude_each_other_and_waiters_wait_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.lock");
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (path, inside) = (path.clone(), inside.clone());
                std::thread::spawn(move || match Lock::take_or_wait(&path).unwrap() {
                    // A lock is per open file: threads exclude each other too.
                    Turn::Holder(lock) => {
                        let n = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                        lock.done();
                        (n, true)
                    }
                    Turn::Waited => (0, false),
                })
            })
            .collect();
        let results: Vec<(usize, bool)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(results.iter().all(|(n, _)| *n == 0), "two holders at once");
        assert!(results.iter().any(|(_, held)| *held));
        // Each holder counted its call.
        let held = results.iter().filter(|(_, h)| *h).count() as u64;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), held);
    }

    /// A waiter whose holder is done stops waiting even if another process takes the lock
    /// at once: it never waits for a second call.
    #[test]
    fn a_waiter_never_waits_for_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.lock");
        let Some(Turn::Holder(first)) = Lock::take_or_wait(&path) else {
            panic!("the lock was free")
        };
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || matches!(Lock::take_or_wait(&path), Some(Turn::Waited)))
        };
        // The first holder's call ends; a second holder takes the lock at once and keeps it
        // until the waiter is through.
        std::thread::sleep(Duration::from_millis(100));
        let second = trust::open_lock(&path).unwrap();
        first.done_then(|| second.lock().unwrap());
        assert!(waiter.join().unwrap());
        second.unlock().unwrap();
    }

    impl Lock {
        /// `done`, with `next` run after the count and before the release returns.
        fn done_then(self, next: impl FnOnce()) {
            let len = self.file.metadata().unwrap().len();
            self.file.set_len(len + 1).unwrap();
            self.file.unlock().unwrap();
            next();
        }
    }

    #[test]
    fn nested_calls_take_no_second_lock() {
        let home = tempfile::tempdir().unwrap();
        let e = env(home.path(), &[]);
        let cache = JsonFileCache::at(home.path().join("c"));
        let fetch = || -> Result<(Credentials, Timestamp), ()> { Err(()) };
        // The outer call holds `same`; the inner one, for the same lock, must not wait for
        // it (it would wait for itself).
        let outer = cached_or_fetch(&e, &cache, "k", "same", || {
            assert!(HOLDING.get());
            cached_or_fetch(&e, &cache, "k", "same", fetch)
        });
        assert_eq!(outer, Err(()));
        assert!(!HOLDING.get());
    }
}
