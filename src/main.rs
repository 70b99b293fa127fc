//! `aws-eks-token [globals] eks get-token [options]`, also installed as `aws`: every other
//! command goes to the real AWS CLI (see `passthrough.rs`).

use std::io::Write;

use aws_eks_token::passthrough;

fn main() {
    let raw_args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args: Vec<String> = raw_args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();

    if !passthrough::is_ours(&args) {
        // `aws-eks-token --version` is always ours; as `aws` it is the real CLI's.
        let invoked_as_aws = std::env::args_os()
            .next()
            .map(std::path::PathBuf::from)
            .and_then(|p| p.file_stem().map(|s| s == "aws"))
            .unwrap_or(false);
        let version_only = args.iter().any(|a| a == "--version");
        let shims = passthrough::shims_from_env();
        let real = passthrough::find_real_aws(
            std::env::var_os("PATH"),
            std::env::var_os(passthrough::REAL_AWS_VAR),
            &shims,
        );
        if let Some(real) = real.filter(|_| invoked_as_aws || !version_only) {
            let err = passthrough::exec(&real, &raw_args, &shims);
            eprintln!(
                "aws-eks-token: could not run the AWS CLI at {}: {err}",
                real.display()
            );
            std::process::exit(255);
        }
    }

    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let is_tty = aws_eks_token::terminal::stdout_is_tty();
    let mut io = aws_eks_token::Io {
        stdout: &mut out,
        stderr: &mut err,
        stdout_is_tty: is_tty,
        terminal_width: if is_tty {
            aws_eks_token::terminal::stdout_width()
        } else {
            None
        },
    };
    let code = aws_eks_token::run(&args, aws_eks_token::settings::Env::from_process(), &mut io);
    let _ = out.flush();
    std::process::exit(code);
}
