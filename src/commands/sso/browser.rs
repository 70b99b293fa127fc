//! Opening the sign-in page as the CLI's `webbrowser.open_new_tab(url)` does (Python's
//! webbrowser.py): the commands of `$BROWSER` first, in order, then the platform's opener.

use std::process::Command;

use crate::settings::Env;

/// Open `url`; whether a browser said it did. Failures are not errors: the URL is on the
/// screen already.
pub fn open(env: &Env, url: &str) -> bool {
    // `$BROWSER` is a list (`os.pathsep`) of commands, tried in order until one succeeds.
    let separator = if cfg!(windows) { ';' } else { ':' };
    if let Some(list) = env.get("BROWSER") {
        for command in list.split(separator).filter(|c| !c.is_empty()) {
            match run(command, url) {
                Some(true) => return true,
                Some(false) => {}
                // webbrowser.get's shlex error escapes `open`: nothing else is tried.
                None => return false,
            }
        }
    }
    platform_opener(env, url)
}

/// One `$BROWSER` entry. With `%s` it is a command line (split as a shell would, `%s`
/// replaced by the URL; a last word `&` runs it in the background: `BackgroundBrowser`),
/// else the name of a program given the URL (`GenericBrowser`). A foreground browser
/// succeeds when it exits 0; `None`: the entry cannot be split.
fn run(command: &str, url: &str) -> Option<bool> {
    let (mut words, background) = if command.contains("%s") {
        let mut words = pystd::shlex::split(command).ok()?;
        let background = words.last().is_some_and(|w| w == "&");
        if background {
            words.pop();
        }
        (words, background)
    } else {
        (vec![command.to_string(), "%s".to_string()], false)
    };
    if words.is_empty() {
        return Some(false);
    }
    let program = words.remove(0);
    let mut cmd = Command::new(program);
    cmd.args(words.iter().map(|w| w.replace("%s", url)));
    if !background {
        return Some(cmd.status().is_ok_and(|s| s.success()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0); // `start_new_session`: not killed with our terminal's ^C
    }
    Some(match cmd.spawn() {
        Ok(mut child) => child.try_wait().is_ok_and(|s| s.is_none()),
        Err(_) => false,
    })
}

/// The platform's URL opener (the `open` crate: xdg-open and its kin, `open`, `start`).
/// As in Python, a Linux or BSD machine only has a graphical browser when `DISPLAY` or
/// `WAYLAND_DISPLAY` is set; console browsers, which Python would start in this terminal,
/// are not tried.
fn platform_opener(env: &Env, url: &str) -> bool {
    let graphical = cfg!(any(target_os = "macos", windows))
        || env.non_empty("DISPLAY").is_some()
        || env.non_empty("WAYLAND_DISPLAY").is_some();
    graphical && open::that_detached(url).is_ok()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn env(browser: &str) -> Env {
        Env::from_pairs(&[("BROWSER", browser)])
    }

    #[test]
    fn browser_commands_in_order_until_one_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let log = log.to_str().unwrap();
        let url = "http://127.0.0.1:1/a?b=c&d=e";
        // A failing command, then one that records its arguments.
        let list = format!(
            "false %s:sh -c 'echo \"$0 $1\" >> {log}' first %s:sh -c 'echo no >> {log}' %s"
        );
        assert!(open(&env(&list), url));
        assert_eq!(
            std::fs::read_to_string(log).unwrap(),
            format!("first {url}\n")
        );
        // A name without %s gets the URL as its argument.
        assert!(open(&env("true"), url));
        // Nothing works: not opened (and no display: no platform opener).
        assert!(!open(&env("/nonexistent/browser:false %s"), url));
        // An entry that cannot be split stops the search.
        assert!(!open(&env("sh -c 'unclosed %s:true"), url));
    }
}
