//! Our own cache directory and the advisory locks that make many kubectl processes started
//! together share one STS / SSO call: the first takes the lock, calls, writes the cache and
//! lets go; the others wait on the lock (bounded), then read what it wrote.
//!
//! Everything lives under `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/` (directory 0700,
//! files 0600, created so). `AWS_EKS_TOKEN_NO_CACHE` (any non-empty value) turns our extra
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

/// `${XDG_CACHE_HOME:-~/.cache}/aws-eks-token/<sub>`, made (0700) if missing; `None` when
/// caching is off or the directory cannot be made (read-only HOME, ...).
pub fn dir(env: &Env, sub: &str) -> Option<PathBuf> {
    if env.non_empty(NO_CACHE_VAR).is_some() {
        return None;
    }
    let base = match env.non_empty("XDG_CACHE_HOME") {
        Some(xdg) if xdg.starts_with('/') => PathBuf::from(xdg),
        _ => env.expand_path("~/.cache"),
    };
    let dir = base.join("aws-eks-token").join(sub);
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

/// An exclusive `flock` on the file, released when the file is closed (also when the
/// process dies, so a crashed holder never blocks the others).
#[cfg(unix)]
fn lock(path: PathBuf) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .ok()?;
    let start = Instant::now();
    loop {
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Some(file);
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK)
            && err.kind() != std::io::ErrorKind::Interrupted
        {
            return None;
        }
        if start.elapsed() >= LOCK_WAIT {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(not(unix))]
fn lock(_path: PathBuf) -> Option<std::fs::File> {
    None
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
    fn lock_serialises_holders() {
        let home = tempfile::tempdir().unwrap();
        let e = env(home.path(), &[]);
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (e, inside) = (e.clone(), inside.clone());
                std::thread::spawn(move || {
                    with_lock(&e, "t", || {
                        // flock is per open file description: threads exclude each other too.
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
