//! `shlex.split(s)` in POSIX mode, which botocore uses for `credential_process` command
//! lines and config section names.

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

#[cfg(test)]
mod tests {
    use super::split;

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
}
