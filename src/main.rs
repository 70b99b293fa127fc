//! `aws-eks-token [globals] <service> <operation> [options]`, also installed as `aws`:
//! every command it does not implement goes to the real AWS CLI (see
//! `cli/passthrough.rs`).
//!
//! On Unix the C `main` is ours (`no_main`): Rust's runtime start-up would also probe the
//! main thread's stack bounds, which glibc answers by reading and parsing
//! `/proc/self/maps` — a tenth of a millisecond on every call, for a stack-overflow
//! message we do not need. What we do need from it is done in `main` below.
//! (Not in `cargo test`'s build of this file: its test harness brings its own `main`.)
#![cfg_attr(all(unix, not(test)), no_main)]

use std::io::Write;

use aws_eks_token::cli::passthrough;
use aws_eks_token::newline::Crlf;

#[cfg(all(unix, not(test)))]
#[no_mangle]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    // SAFETY: called once, before any other thread or file exists: standard descriptors
    // that are closed are reopened on /dev/null (so that no file opened later becomes
    // stdout or stderr), and SIGPIPE is ignored (a write to a closed pipe then fails with
    // EPIPE, as in Python; children get the default back, as std's spawn does).
    unsafe {
        for fd in 0..3 {
            if libc::fcntl(fd, libc::F_GETFD) == -1 {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    aws_main()
}

#[cfg(any(not(unix), test))]
fn main() {
    std::process::exit(aws_main())
}

fn aws_main() -> i32 {
    let raw_args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args: Vec<String> = raw_args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();

    let prompt_mode = std::env::var("AWS_CLI_AUTO_PROMPT").ok();
    if !passthrough::is_ours(&args) || passthrough::wants_prompter(&args, prompt_mode.as_deref()) {
        // `aws-eks-token --version` is always ours; as `aws` it is the real CLI's.
        let invoked_as_aws = std::env::args_os()
            .next()
            .map(std::path::PathBuf::from)
            .and_then(|p| p.file_stem().map(|s| s == "aws"))
            .unwrap_or(false);
        let version_only = args.iter().any(|a| a == "--version");
        if invoked_as_aws || !version_only {
            let shims = passthrough::shims_from_env();
            let real = passthrough::find_real_aws(
                std::env::var_os("PATH"),
                std::env::var_os(passthrough::REAL_AWS_VAR),
                &shims,
            )
            .unwrap_or_else(|message| {
                eprintln!("aws-eks-token: {message}");
                std::process::exit(255);
            });
            if let Some(real) = real {
                let err = passthrough::exec(&real, &raw_args, &shims);
                eprintln!(
                    "aws-eks-token: could not run the AWS CLI at {}: {err}",
                    real.display()
                );
                std::process::exit(255);
            }
        }
    }

    let stdout_closed = STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed);
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out: Box<dyn Write> = if stdout_closed {
        Box::new(ClosedStdout)
    } else if cfg!(windows) {
        Box::new(Crlf(std::io::BufWriter::new(stdout.lock())))
    } else {
        Box::new(std::io::BufWriter::new(stdout.lock()))
    };
    let mut err: Box<dyn Write> = if cfg!(windows) {
        Box::new(Crlf(stderr.lock()))
    } else {
        Box::new(stderr.lock())
    };
    let is_tty = aws_eks_token::io::stdout_is_tty();
    let mut io = aws_eks_token::io::Io {
        stdout: &mut out,
        stderr: &mut err,
        stdout_is_tty: is_tty,
        terminal_width: if is_tty {
            aws_eks_token::io::stdout_width()
        } else {
            None
        },
    };
    let code = aws_eks_token::run(&args, aws_eks_token::settings::Env::from_process(), &mut io);
    let _ = out.flush();
    code
}

/// Whether the caller closed stdout (`>&-`). Rust's runtime opens /dev/null on closed
/// standard descriptors before `main` (so no file or socket opened later can become fd
/// 1 or 2); this check runs earlier, as an ELF/Mach-O initializer, to see the
/// descriptor as the caller left it.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
#[used]
#[link_section = ".init_array"]
static CHECK_STDOUT: extern "C" fn() = check_stdout;

#[cfg(target_os = "macos")]
#[used]
#[link_section = "__DATA,__mod_init_func"]
static CHECK_STDOUT: extern "C" fn() = check_stdout;

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "macos"
))]
extern "C" fn check_stdout() {
    // SAFETY: F_GETFD only asks whether the descriptor is open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Stdout when the caller closed it: the CLI's Python has no `sys.stdout` then, and
/// writing the result fails with this error (rc 255, spec §2.7).
struct ClosedStdout;

impl Write for ClosedStdout {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other(
            "'NoneType' object has no attribute 'flush'",
        ))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
