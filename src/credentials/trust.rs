//! What we accept on disk (issue 16; SECURITY.md "Trust model"). A cache is only as good
//! as its directory: one that another user can write to lets them plant credentials,
//! point our writes elsewhere with a symlink or hold our locks. So, as ssh and gpg do:
//!
//! - our own directories (`aws-eks-token/` and the one below it) must be directories owned
//!   by the user and not writable by group or others, and every directory above them must
//!   be owned by the user or root and not writable by others unless it is sticky (`/tmp`);
//!   otherwise we use no cache of ours (a call then only costs speed);
//! - cache entries (ours and the AWS CLI's `~/.aws/cli/cache` and `~/.aws/sso/cache`) are
//!   followed through symlinks only when every link is the user's own (as the CLI follows
//!   them; a symlink the user made stays one, and the file it leads to is read and
//!   replaced), lock files never; the file itself is opened without following a symlink
//!   (`O_NOFOLLOW`) and without blocking on a FIFO, and used only when it is a regular
//!   file owned by the user; an entry is replaced only when it is absent or such a file,
//!   and a new file's mode is 0600 (an existing file of the user's keeps its mode, as the
//!   CLI's `os.open` keeps it), never copied from something we did not create.
//!
//! Ownership and modes exist on Unix only; elsewhere the same checks refuse symlinks and
//! other non-regular files, and directories are the platform's per-user ones.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Temporary files of a write that are older than this were left by a process that died
/// mid-write (a write takes milliseconds): they hold whole credentials, so they go.
const STALE_TEMP: Duration = Duration::from_secs(60);

/// `dir`, whose last `ours` components are our own directories, if it can be trusted
/// (see the module's notes): its canonical path, which later opens use, so that no
/// symlink is followed after the check.
pub fn private_dir(dir: &Path, ours: usize) -> Option<PathBuf> {
    let canonical = dir.canonicalize().ok()?;
    for (i, path) in canonical.ancestors().enumerate() {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_dir() || !trusted_dir(&meta, i < ours) {
            return None;
        }
    }
    Some(canonical)
}

#[cfg(unix)]
fn trusted_dir(meta: &std::fs::Metadata, ours: bool) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (uid, mode) = (meta.uid(), meta.mode());
    let writable_by_others = mode & 0o022 != 0;
    if ours {
        uid == euid() && !writable_by_others
    } else {
        (uid == euid() || uid == 0) && (!writable_by_others || mode & 0o1000 != 0)
    }
}

#[cfg(not(unix))]
fn trusted_dir(meta: &std::fs::Metadata, _ours: bool) -> bool {
    !meta.file_type().is_symlink()
}

#[cfg(unix)]
fn euid() -> u32 {
    // SAFETY: geteuid cannot fail and has no side effects.
    unsafe { libc::geteuid() }
}

/// Open options that do not follow a symlink in the last component nor block on a FIFO.
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
    }
    options
}

/// Whether an opened file is a regular file of the user's.
fn ours(file: &File) -> bool {
    let Ok(meta) = file.metadata() else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.is_file() && meta.uid() == euid()
    }
    #[cfg(not(unix))]
    {
        meta.is_file() && !meta.file_type().is_symlink()
    }
}

/// An existing cache entry, opened for reading if it is a regular file of the user's
/// (through the user's own symlinks: `entry_target`).
pub fn open_entry(path: &Path) -> Option<File> {
    let path = entry_target(path)?;
    let file = no_follow(OpenOptions::new().read(true)).open(path).ok()?;
    ours(&file).then_some(file)
}

/// The file a cache entry's path leads to: the path itself, or where the symlinks there
/// lead (also a file that does not exist yet) when each of them is the user's; `None`
/// for a symlink of someone else's (or a loop).
pub fn entry_target(path: &Path) -> Option<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return Some(path);
        };
        if !meta.file_type().is_symlink() {
            return Some(path);
        }
        if !cfg!(unix) || !owned(&meta) {
            return None;
        }
        let target = std::fs::read_link(&path).ok()?;
        path = match path.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    None
}

#[cfg(unix)]
fn owned(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == euid()
}

#[cfg(not(unix))]
fn owned(_meta: &std::fs::Metadata) -> bool {
    false
}

/// A lock file, made (0600) if missing, if it is a regular file of the user's.
pub fn open_lock(path: &Path) -> Option<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = no_follow(&mut options).open(path).ok()?;
    ours(&file).then_some(file)
}

/// Where a new version of the entry at `path` goes (`entry_target`) and the mode it gets:
/// 0600 when there is none, the mode of a regular file of the user's that is there;
/// `None` when something else is there (another user's symlink or file, a FIFO), which
/// is then left alone.
pub fn write_target(path: &Path) -> Option<(PathBuf, u32)> {
    let path = entry_target(path)?;
    let mode = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0o600,
        Err(_) => return None,
        Ok(meta) if !meta.is_file() || !cfg!(unix) && meta.file_type().is_symlink() => return None,
        #[cfg(unix)]
        Ok(meta) => {
            use std::os::unix::fs::MetadataExt;
            if !owned(&meta) {
                return None;
            }
            meta.mode() & 0o777
        }
        #[cfg(not(unix))]
        Ok(_) => 0o600,
    };
    Some((path, mode))
}

/// The name of a write's temporary file: `.<name>.<pid>.tmp`.
pub fn temp_name(name: &str) -> String {
    format!(".{name}.{}.tmp", std::process::id())
}

/// Remove the temporary files (`.<name>.<pid>.tmp`, regular, the user's) that writes
/// killed midway left in `dir` more than a minute ago.
pub fn remove_stale_temps(dir: &Path) {
    remove_stale(dir, is_temp_name)
}

/// Remove the regular files of the user's in `dir` whose names `is_temp` accepts, last
/// written more than a minute ago.
pub fn remove_stale(dir: &Path, is_temp: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !is_temp(name) {
            continue;
        }
        let path = entry.path();
        let Some(file) = open_entry(&path) else {
            continue;
        };
        let old = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= STALE_TEMP);
        if old {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// `.<name>.<digits>.tmp`, as `temp_name` makes them.
fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    match rest.rsplit_once('.') {
        Some((stem, pid)) => {
            !stem.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert!(is_temp_name(&temp_name("abc.json")));
        assert!(is_temp_name(".68cb027c.json.12345.tmp"));
        for other in [
            "68cb.json",
            ".68cb.json.tmp",
            ".68cb.json.12a.tmp",
            "..1.tmp",
            ".x.1.tmpx",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_private_directories_are_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("aws-eks-token/locks");
        std::fs::create_dir_all(&dir).unwrap();
        let set = |p: &Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        set(&dir, 0o700);
        set(dir.parent().unwrap(), 0o755);
        // The temporary directory and those above it are the system's and the user's.
        assert_eq!(private_dir(&dir, 2), Some(dir.canonicalize().unwrap()));
        set(&dir, 0o770);
        assert_eq!(private_dir(&dir, 2), None, "group-writable");
        set(&dir, 0o700);
        set(dir.parent().unwrap(), 0o1777);
        assert_eq!(
            private_dir(&dir, 2),
            None,
            "ours, sticky but world-writable"
        );
        set(dir.parent().unwrap(), 0o700);
        // Above ours: world-writable only when sticky.
        set(base.path(), 0o777);
        assert_eq!(private_dir(&dir, 2), None, "a world-writable parent");
        set(base.path(), 0o1777);
        assert!(private_dir(&dir, 2).is_some(), "a sticky parent, like /tmp");
        set(base.path(), 0o700);
        // A symlink in our place is followed to what it names, which must pass itself.
        let elsewhere = base.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        set(&elsewhere, 0o777);
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert_eq!(private_dir(&link, 1), None);
        set(&elsewhere, 0o700);
        assert_eq!(
            private_dir(&link, 1),
            Some(elsewhere.canonicalize().unwrap())
        );
    }

    #[cfg(unix)]
    #[test]
    fn entries_are_regular_files_and_locks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.json");
        std::fs::write(&file, "{}").unwrap();
        assert!(open_entry(&file).is_some());
        // The user's own symlink leads to the file (another user's: the root-only
        // tests/cache_trust.rs); a loop leads nowhere.
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open_entry(&link).is_some());
        assert_eq!(write_target(&link).map(|t| t.0), Some(file.clone()));
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        assert!(open_entry(&a).is_none());
        assert_eq!(write_target(&a), None);
        // A FIFO neither blocks nor counts.
        let fifo = dir.path().join("fifo.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(open_entry(&fifo).is_none());
        assert!(open_lock(&fifo).is_none());
        assert_eq!(write_target(&fifo), None);
        let to_fifo = dir.path().join("to_fifo.json");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        assert!(open_entry(&to_fifo).is_none());
        assert_eq!(write_target(&to_fifo), None);
        // A dangling symlink at a lock path creates nothing where it points.
        let target = dir.path().join("target");
        let lock = dir.path().join("x.lock");
        std::os::unix::fs::symlink(&target, &lock).unwrap();
        assert!(open_lock(&lock).is_none());
        assert!(!target.exists());
        // Modes: 0600 for a new file, the user's own file keeps its mode.
        let new = dir.path().join("new.json");
        assert_eq!(write_target(&new), Some((new, 0o600)));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(write_target(&file), Some((file.clone(), 0o640)));
        let made = open_lock(&dir.path().join("new.lock")).unwrap();
        assert_eq!(made.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    }
}
