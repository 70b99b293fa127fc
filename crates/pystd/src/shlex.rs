//! `shlex.split(s)` in POSIX mode, which botocore uses for `credential_process` command
//! lines and config section names, and botocore's own `_windows_shell_split`, which it
//! uses instead on Windows.

/// The words of `s`; `Err` is Python's ValueError text (`No closing quotation`, `No
/// escaped character`). ` \t\r\n` separate words, quotes group, a backslash outside quotes
/// escapes any character and inside double quotes only `\` and `"`.
pub fn split(s: &str) -> Result<Vec<String>, &'static str> {
    const UNCLOSED: &str = "No closing quotation";
    const ESCAPE: &str = "No escaped character";
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next().ok_or(UNCLOSED)? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next().ok_or(UNCLOSED)? {
                        '"' => break,
                        '\\' => match chars.next().ok_or(ESCAPE)? {
                            c @ ('\\' | '"') => cur.push(c),
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next().ok_or(ESCAPE)?);
            }
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// botocore's `_windows_shell_split`, the Microsoft C runtime's rules: only space and tab
/// separate, only `"` quotes (`""` gives an empty argument), backslashes are literal unless
/// they lead up to a `"` (then pairs become one, and an odd one escapes the quote).
pub fn split_windows(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    // `None` until something (even an empty quoted string) starts a word.
    let mut word: Option<String> = None;
    let mut quoted = false;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                let w = word.get_or_insert_with(String::new);
                w.push_str(&"\\".repeat(backslashes / 2));
                if backslashes % 2 == 1 {
                    w.push('"');
                } else {
                    quoted = !quoted;
                }
                backslashes = 0;
            }
            ' ' | '\t' if !quoted => {
                if backslashes > 0 {
                    let w = word.get_or_insert_with(String::new);
                    w.push_str(&"\\".repeat(backslashes));
                    backslashes = 0;
                }
                words.extend(word.take());
            }
            _ => {
                let w = word.get_or_insert_with(String::new);
                w.push_str(&"\\".repeat(backslashes));
                backslashes = 0;
                w.push(c);
            }
        }
    }
    if quoted {
        return Err(format!("No closing quotation in string: {line}"));
    }
    if backslashes > 0 {
        let w = word.get_or_insert_with(String::new);
        w.push_str(&"\\".repeat(backslashes));
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::{split, split_windows};

    #[test]
    fn like_python() {
        assert_eq!(
            split(r#"a "b c" 'd\e' f\ g "h\"\i" """#).unwrap(),
            ["a", "b c", "d\\e", "f g", "h\"\\i", ""]
        );
        assert_eq!(split("a 'b"), Err("No closing quotation"));
        assert_eq!(split("a \"b"), Err("No closing quotation"));
        assert_eq!(split("a \\"), Err("No escaped character"));
        assert_eq!(split("a \"b\\"), Err("No escaped character"));
    }

    #[test]
    fn windows_split_as_botocore() {
        // Values of botocore's `_windows_shell_split` (awscli 2.36.7's vendored botocore).
        for (line, python) in [
            (
                r#"C:\Program Files\x.exe --a b"#,
                &[r"C:\Program", r"Files\x.exe", "--a", "b"][..],
            ),
            (
                r#""C:\Program Files\x.exe" "a b" """#,
                &[r"C:\Program Files\x.exe", "a b", ""],
            ),
            (r#"a\\"b c" d\\\"e \\"#, &[r"a\b c", r#"d\"e"#, r"\\"]),
            ("  a\t\tb  ", &["a", "b"]),
            (r#"a"b"c 'd e'"#, &["abc", "'d", "e'"]),
            (r#"\" x\"#, &["\"", r"x\"]),
            ("", &[]),
            ("   ", &[]),
        ] {
            assert_eq!(split_windows(line).unwrap(), python, "{line}");
        }
        assert_eq!(
            split_windows(r#"a "b"#),
            Err(r#"No closing quotation in string: a "b"#.to_string())
        );
    }
}
