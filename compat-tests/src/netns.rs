//! Private network namespaces: the test runs that must reach loopback only.

use std::process::{Command, ExitCode};

/// True when the only network interface is loopback (a private network namespace).
pub fn isolated() -> bool {
    let Ok(dev) = std::fs::read_to_string("/proc/self/net/dev") else {
        return false;
    };
    dev.lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .all(|name| name.trim() == "lo")
}

/// Brings loopback up, then runs the command line given after it.
const LOOPBACK_UP: &str = "PATH=$PATH:/usr/sbin:/sbin; ip link set lo up && exec \"$0\" \"$@\"";

/// Runs this test again (with `marker` set in its environment) inside a new network
/// namespace with loopback up; `None` when no such namespace can be made here.
pub fn rerun_isolated(marker: &str) -> Option<ExitCode> {
    let probe = Command::new("unshare")
        .args(["-rn", "sh", "-c", LOOPBACK_UP, "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !probe {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let status = Command::new("unshare")
        .args(["-rn", "sh", "-c", LOOPBACK_UP])
        .arg(exe)
        .args(std::env::args_os().skip(1))
        .env(marker, "1")
        .status()
        .ok()?;
    Some(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
