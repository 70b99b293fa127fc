//! What `kubeconfig::update` does better than the AWS CLI while writing the same bytes: new
//! files 0600, existing files keep their mode, symlinks stay symlinks, a file it cannot
//! parse is never touched, and concurrent updates from many processes lose nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_eks_token::kubeconfig::{entries, update, EntryOptions, Update};
use serde_json::json;

/// Add (or update) cluster `name` in the kubeconfig at `path`.
fn add_cluster(path: &Path, name: &str, lock_dir: &Path) -> Result<String, String> {
    let cluster = json!({
        "name": name,
        "arn": format!("arn:aws:eks:us-west-2:123456789012:cluster/{name}"),
        "endpoint": format!("https://{name}.example.com"),
        "status": "ACTIVE",
        "certificateAuthority": {"data": "Q0E="}
    });
    let e = entries(
        &cluster,
        &EntryOptions {
            cluster_name: name,
            ..Default::default()
        },
    )
    .map_err(|e| e.0)?;
    update(&Update {
        entries: &e,
        candidates: &[path.to_path_buf()],
        dry_run: false,
        verbose: false,
        lock_dir: Some(lock_dir.to_path_buf()),
    })
    .map(|r| r.stdout)
    .map_err(|e| e.0)
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn new_file_is_0600_and_existing_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    add_cluster(&path, "a", &dir.path().join("locks")).unwrap();
    assert_eq!(mode(&path), 0o600);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    add_cluster(&path, "b", &dir.path().join("locks")).unwrap();
    assert_eq!(mode(&path), 0o640);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("cluster/a") && text.contains("cluster/b"));
}

#[cfg(unix)]
#[test]
fn a_symlinked_kubeconfig_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("config");
    std::fs::write(&target, "apiVersion: v1\nkind: Config\n").unwrap();
    let link = dir.path().join("config");
    std::os::unix::fs::symlink("real/config", &link).unwrap();

    let out = add_cluster(&link, "a", &dir.path().join("locks")).unwrap();
    assert!(out.ends_with(&format!("to {}\n", link.display())), "{out}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("real/config")
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with("apiVersion: v1\nkind: Config\nclusters:\n"),
        "{text}"
    );
    // No temporary files left beside the target or the link.
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 1);
}

#[test]
fn a_file_that_does_not_parse_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let broken = "clusters: [\n  - a: b\n";
    std::fs::write(&path, broken).unwrap();
    let err = add_cluster(&path, "a", &dir.path().join("locks")).unwrap_err();
    assert!(
        err.starts_with("YamlError while loading kubeconfig: while parsing a flow node\n"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1); // no temporary file
}

#[test]
fn a_dump_that_fails_leaves_the_file_alone() {
    // The CLI truncates the file, then fails dumping (RecursionError); we fail first.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let deep = format!(
        "preferences:\n  x: {}{}\n",
        "[".repeat(400),
        "]".repeat(400)
    );
    std::fs::write(&path, &deep).unwrap();
    let err = add_cluster(&path, "a", &dir.path().join("locks")).unwrap_err();
    assert_eq!(err, "maximum recursion depth exceeded");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), deep);
}

#[test]
fn writing_without_a_usable_lock_directory_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    add_cluster(&path, "a", &blocker.join("locks")).unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("cluster/a"));
}

const CHILD_ENV: &str = "KUBECONFIG_SAFETY_CHILD";

/// Run in a child process (this test binary started again): add one cluster.
#[test]
fn child_process_entry() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return; // not a child: nothing to do
    };
    let mut parts = spec.splitn(3, '\n');
    let (path, name, locks) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    add_cluster(Path::new(path), name, Path::new(locks)).unwrap();
}

#[test]
fn twenty_processes_adding_twenty_clusters_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let locks = dir.path().join("locks");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..20)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", "child_process_entry", "--test-threads", "1"])
                .env(
                    CHILD_ENV,
                    format!("{}\nc{i:02}\n{}", path.display(), locks.display()),
                )
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&path).unwrap();
    for i in 0..20 {
        let arn = format!("arn:aws:eks:us-west-2:123456789012:cluster/c{i:02}");
        assert!(
            text.contains(&format!("  name: {arn}\n")),
            "c{i:02} lost:\n{text}"
        );
    }
    let loaded = yaml_py::load(text.as_bytes(), "config").unwrap();
    let root = loaded.doc.root.clone().unwrap();
    let clusters = loaded
        .doc
        .map(&root)
        .unwrap()
        .get("clusters")
        .cloned()
        .unwrap();
    assert_eq!(loaded.doc.seq(&clusters).unwrap().len(), 20);
}

/// The temporary files of writes killed midway (`.config.tmp-<pid>-<nonce>`) are removed
/// by a later write once they are a minute old; younger ones and other files stay.
#[test]
fn temporary_files_of_killed_writes_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let old = dir.path().join(".config.tmp-4242-0badc0de");
    let young = dir.path().join(".config.tmp-4243-0badc0de");
    let other = dir.path().join(".other.tmp-4242-0badc0de");
    for p in [&old, &young, &other] {
        std::fs::write(p, "half a kubeconfig").unwrap();
    }
    let two_minutes_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    for p in [&old, &other] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(two_minutes_ago)
            .unwrap();
    }
    add_cluster(&path, "a", &dir.path().join("locks")).unwrap();
    assert!(!old.exists(), "a stale temporary file was left");
    assert!(young.exists() && other.exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}
