//! `aws-eks-token [globals] eks get-token [options]`, also installed as `aws`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
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
