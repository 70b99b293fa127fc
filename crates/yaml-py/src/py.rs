//! The few pieces of Python's own behaviour that ruamel's texts contain, from pystd:
//! `repr()` of a str (error messages quote characters and tags with it), `repr()` of a
//! float (the safe representer writes `repr(f).lower()`) and `float()`.

pub use pystd::number::float as parse_float;
pub use pystd::repr::{float_repr, str_repr};

/// `repr()` of a one-character str (ruamel's `{ch!r}`).
pub fn char_repr(c: char) -> String {
    let mut buf = [0u8; 4];
    str_repr(c.encode_utf8(&mut buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_repr_matches_python() {
        assert_eq!(char_repr('\t'), "'\\t'");
        assert_eq!(char_repr('\u{85}'), "'\\x85'");
        assert_eq!(char_repr('\u{feff}'), "'\\ufeff'");
        assert_eq!(char_repr('\u{2028}'), "'\\u2028'");
        assert_eq!(char_repr('é'), "'é'");
        assert_eq!(char_repr('\0'), "'\\x00'");
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float("1e"), None);
    }
}
