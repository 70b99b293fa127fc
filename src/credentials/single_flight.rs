//! Our own cache directory and the advisory locks that make many kubectl processes started
//! together share one STS / SSO call: the first takes the lock, calls, writes the cache and
//! lets go; the others wait on the lock (bounded), then read what it wrote.
//!
//! Everything lives under `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/` (directory 0700,
//! files 0600, created so), on Windows under `%LOCALAPPDATA%\aws-eks-token\`, where
//! Windows programs keep per-user caches. Never under a relative path: with no home
//! directory (or no `%LOCALAPPDATA%`) there is no cache of ours. `AWS_EKS_TOKEN_NO_CACHE` (any non-empty value) turns our extra
//! caching off: no locks, no `--role-arn` cache; the AWS CLI's own cache is still used, as
//! the CLI uses it. Nothing here can fail a call: without a usable directory the call just
//! goes ahead alone.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::cache::JsonFileCache;
use crate::aws::sigv4::Credentials;
use crate::settings::Env;
use crate::time::Timestamp;
use crate::time::UtcTime;

pub const NO_CACHE_VAR: &str = "AWS_EKS_TOKEN_NO_CACHE";

/// How long a process waits for another's call before making its own. Long enough for an
/// STS call with retries or an MFA prompt; short enough that a stuck holder costs little.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/<sub>` (Windows:
/// `%LOCALAPPDATA%\aws-eks-token\<sub>`), made (0700) if missing; `None` when caching is
/// off, there is no absolute base directory, or the directory cannot be made (read-only
/// HOME, ...).
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
    builder.create(&dir).ok()?;
    Some(dir)
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

/// Run `f` while holding the lock `name` (a file name), waiting at most `LOCK_WAIT` for it.
/// Without a lock (caching off, no directory, timeout, no lock support) `f` runs anyway.
pub fn with_lock<T>(env: &Env, name: &str, f: impl FnOnce() -> T) -> T {
    let _guard = dir(env, "locks").and_then(|d| lock(d.join(format!("{name}.lock"))));
    f()
}

/// The entry `key` of `cache` while it is fresh, else what `fetch` returns. `fetch` runs
/// under the lock `lock`, after a second look at the cache: another process may have
/// refreshed it while this one waited.
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
    with_lock(env, lock, || match cache.fresh(key, UtcTime::now()) {
        Some(found) => Ok(found),
        None => fetch(),
    })
}

/// An exclusive lock on the file (std's `File::try_lock`: `flock` on Unix, `LockFileEx` on
/// Windows), released when the file is closed, also when the process dies, so a crashed
/// holder never blocks the others.
fn lock(path: PathBuf) -> Option<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).ok()?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Some(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            }
            // No lock support (some network file systems): go ahead alone.
            Err(std::fs::TryLockError::Error(_)) => return None,
        }
        if start.elapsed() >= LOCK_WAIT {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
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
        assert!(d.starts_with(&xdg));
    }

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
    fn lock_serialises_holders() {
        let home = tempfile::tempdir().unwrap();
        let e = env(home.path(), &[]);
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (e, inside) = (e.clone(), inside.clone());
                std::thread::spawn(move || {
                    with_lock(&e, "t", || {
                        // Each call opens the file anew: threads exclude each other too.
                        let n = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                        n
                    })
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 0, "two holders at once");
        }
    }
}
