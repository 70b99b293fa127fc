//! Our own cache directory and the advisory locks that make many kubectl processes started
//! together share one STS / SSO call: the first takes the lock, calls, writes the cache and
//! lets go; the others wait for that one call, then read what it wrote.
//!
//! Everything lives under `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/` (directory 0700,
//! files 0600, created so), on Windows under `%LOCALAPPDATA%\aws-eks-token\`, where
//! Windows programs keep per-user caches, used only when it passes `trust::private_dir`
//! (never a relative path: with no home directory, or no `%LOCALAPPDATA%`, there is no
//! cache of ours). `AWS_EKS_TOKEN_NO_CACHE` (any
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

/// `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/<sub>` (Windows:
/// `%LOCALAPPDATA%\aws-eks-token\<sub>`), made (0700) if missing; `None` when caching is
/// off, there is no absolute base directory, or the directory cannot be made or trusted
/// (read-only HOME, another user's directory, ...).
pub fn dir(env: &Env, sub: &str) -> Option<PathBuf> {
    if env.non_empty(NO_CACHE_VAR).is_some() {
        return None;
    }
    let dir = base_dir(env, cfg!(windows))?
        .join("aws-eks-token")
        .join(sub);
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

/// Where our cache directory goes: `%LOCALAPPDATA%` on Windows; elsewhere `XDG_CACHE_HOME`
/// when absolute, else `~/.cache`. Only absolute paths, never one relative to the working
/// directory.
fn base_dir(env: &Env, windows: bool) -> Option<PathBuf> {
    let base = if windows {
        let local = env.non_empty("LOCALAPPDATA")?;
        windows_absolute(local).then(|| local.to_string())?
    } else {
        match env.non_empty("XDG_CACHE_HOME") {
            Some(xdg) if xdg.starts_with('/') => xdg.to_string(),
            _ => {
                let home = env.home_dir().filter(|h| h.starts_with('/'))?;
                format!("{}/.cache", home.trim_end_matches('/'))
            }
        }
    };
    Some(PathBuf::from(base))
}

/// `C:\…`, `C:/…` or a UNC path (`\\server\share\…`).
fn windows_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
        || p.starts_with(r"\\")
}

/// Run `f` while holding the lock `name` (a file name), waiting at most `LOCK_WAIT` for
/// it: the writers of one file (an SSO session's token, a registration) take turns. Such a
/// lock is a leaf: it may be taken inside a credential lock (a refresh of the token during
/// a GetRoleCredentials), and `f` takes no other, so no two processes can wait on each
/// other. Without a lock (caching off, no directory, timeout, no lock support) `f` runs
/// anyway.
pub fn with_lock<T>(env: &Env, name: &str, f: impl FnOnce() -> T) -> T {
    let lock = dir(env, "locks").and_then(|d| Lock::take(&d.join(format!("{name}.lock"))));
    let outer = HOLDING.replace(true);
    let result = f();
    HOLDING.set(outer);
    if let Some(lock) = lock {
        lock.done();
    }
    result
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

    /// Take the lock, waiting at most `LOCK_WAIT` for it; `None` without one.
    fn take(path: &Path) -> Option<Lock> {
        let file = trust::open_lock(path)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Some(Lock { file }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(POLL)
                }
                Err(_) => return None,
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
    fn never_a_relative_directory() {
        let vars = |pairs: &[(&str, &str)]| {
            Env(pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect())
        };
        let unix = |pairs: &[(&str, &str)]| base_dir(&vars(pairs), false);
        assert_eq!(unix(&[("HOME", "/h/")]), Some(PathBuf::from("/h/.cache")));
        assert_eq!(unix(&[("HOME", "/")]), Some(PathBuf::from("/.cache")));
        assert_eq!(unix(&[("HOME", "rel")]), None);
        assert_eq!(
            unix(&[("HOME", "/h"), ("XDG_CACHE_HOME", "rel")]),
            Some(PathBuf::from("/h/.cache"))
        );
        assert_eq!(
            unix(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/x")]),
            Some(PathBuf::from("/x"))
        );
        let windows = |pairs: &[(&str, &str)]| base_dir(&vars(pairs), true);
        let local = r"C:\Users\me\AppData\Local";
        assert_eq!(
            windows(&[("LOCALAPPDATA", local), ("XDG_CACHE_HOME", "/x")]),
            Some(PathBuf::from(local))
        );
        assert_eq!(
            windows(&[("LOCALAPPDATA", r"\\srv\share\me")]),
            Some(PathBuf::from(r"\\srv\share\me"))
        );
        // No %LOCALAPPDATA%, or a relative one: no cache of ours, whatever else is set.
        assert_eq!(
            windows(&[("USERPROFILE", r"C:\Users\me"), ("HOME", "/h")]),
            None
        );
        assert_eq!(windows(&[("LOCALAPPDATA", r"AppData\Local")]), None);
        assert_eq!(windows(&[("LOCALAPPDATA", r"C:AppData")]), None);
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
