//! Python's `str` methods and text decoding as the AWS CLI's code meets them: `isspace`,
//! `strip`, `split()`, universal newlines, and `UnicodeDecodeError`'s text.

/// `str.isspace()` for one character (the characters CPython's `Py_UNICODE_ISSPACE`
/// accepts), used by `str.strip()`, `str.split()`, `int()` and `float()`.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// `str.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// `str.split()`: the words between runs of whitespace.
pub fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|w| !w.is_empty())
}

/// `' '.join(s.split())`: botocore's header value canonicalisation.
pub fn collapse_whitespace(s: &str) -> String {
    split(s).collect::<Vec<_>>().join(" ")
}

/// Text mode's universal newlines (`open(path).read()`): `\r\n` and `\r` become `\n`.
pub fn universal_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// `UnicodeDecodeError`'s text for bytes that are not UTF-8.
pub fn utf8_error(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let pos = e.valid_up_to();
    let byte = bytes.get(pos).copied().unwrap_or_default();
    let reason = match e.error_len() {
        None => "unexpected end of data",
        Some(_) if (0x80..0xc2).contains(&byte) || byte > 0xf4 => "invalid start byte",
        Some(_) => "invalid continuation byte",
    };
    format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_pythons() {
        assert_eq!(strip("\u{1c} a b\u{3000}\n"), "a b");
        assert_eq!(rstrip(" a \u{85}"), " a");
        assert_eq!(
            collapse_whitespace("  my \t  cluster\u{a0}x "),
            "my cluster x"
        );
        assert!(!is_space('\u{200b}'));
        assert_eq!(universal_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn decode_errors() {
        let error = |bytes: &[u8]| utf8_error(bytes, &std::str::from_utf8(bytes).unwrap_err());
        assert_eq!(
            error(&[b'a', b'b', 0xff, b'c']),
            "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
        assert_eq!(
            error(&[b'a', 0xc3]),
            "'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data"
        );
    }
}
