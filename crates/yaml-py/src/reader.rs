//! The input side: Python's text file (`open(path, 'r')` with UTF-8: strict decoding in
//! 8192-byte chunks, universal newlines) and ruamel's `Reader` (reader.py), which reads that
//! stream 4096 characters at a time and checks each piece for characters YAML forbids.
//!
//! Both happen lazily in Python, so *when* an undecodable byte or a forbidden character is
//! reported — before or after a syntax error earlier in the file — depends on how far the
//! scanner has looked ahead. [`Reader`] keeps the same bookkeeping (what has been read, what
//! has been checked) to raise them at the same moment.

use crate::error::{python, Fail, LoadError, Mark, Res};

/// `TextIOWrapper`'s chunk size: bytes decoded per step.
const DECODE_CHUNK: usize = 8192;
/// ruamel's `Reader.update_raw` default size: characters read per call.
const READ_SIZE: usize = 4096;

/// The text of a file as Python's text layer delivers it, up to the first undecodable chunk.
pub(crate) struct Decoded {
    pub text: Vec<char>,
    /// `UnicodeDecodeError`'s text, raised once a read needs more than `text`.
    pub error: Option<String>,
}

/// Decode `bytes` as Python's `open(path, 'r', encoding='utf-8')` does, and translate `\r\n`
/// and `\r` to `\n` (universal newlines).
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    let mut good_end = 0; // bytes decoded without error, a prefix of `bytes`
    let mut error = None;
    let mut pending_start = 0; // start of the bytes the incremental decoder still holds
    let mut chunk_start = 0;
    loop {
        let chunk_end = (chunk_start + DECODE_CHUNK).min(bytes.len());
        let last = chunk_end == bytes.len();
        // BufferedIncrementalDecoder: data = pending + chunk, positions relative to it.
        let data = &bytes[pending_start..chunk_end];
        match std::str::from_utf8(data) {
            Ok(_) => {
                good_end = chunk_end;
                pending_start = chunk_end;
            }
            Err(e) => {
                let at = e.valid_up_to();
                match e.error_len() {
                    Some(n) => {
                        error = Some(decode_error(data, at, n, false));
                        break;
                    }
                    None if last => {
                        // At the end, `decode(b'', final=True)` sees only the held bytes.
                        error = Some(decode_error(&data[at..], 0, data.len() - at, true));
                        good_end = pending_start + at;
                        break;
                    }
                    None => {
                        good_end = pending_start + at;
                        pending_start += at;
                    }
                }
            }
        }
        if last {
            break;
        }
        chunk_start = chunk_end;
    }
    // Everything before the failing chunk decodes (an incomplete trailing sequence is held).
    let good = std::str::from_utf8(&bytes[..good_end]).unwrap_or("");
    let mut text = Vec::with_capacity(good.len());
    let mut chars = good.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    Decoded { text, error }
}

/// The text of the `UnicodeDecodeError` Python's UTF-8 codec raises.
fn decode_error(data: &[u8], at: usize, len: usize, end_of_data: bool) -> String {
    let first = data[at];
    let reason = if end_of_data {
        "unexpected end of data"
    } else if (0x80..=0xC1).contains(&first) || first >= 0xF5 {
        "invalid start byte"
    } else {
        "invalid continuation byte"
    };
    if len == 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {at}: {reason}")
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {at}-{}: {reason}",
            at + len - 1
        )
    }
}

/// ruamel's `Reader` over a text stream: `peek`, `prefix`, `forward`, marks.
pub(crate) struct Reader {
    /// The stream's name for marks (`stream.name`: the path as opened).
    pub name: String,
    text: Vec<char>,
    decode_error: Option<String>,
    /// Index of the first character the reader rejects, if any.
    first_bad: Option<usize>,
    /// Characters read from the stream (`stream_pointer`).
    read: usize,
    /// Characters moved into the buffer and checked.
    loaded: usize,
    /// `read()` returned `''`.
    eof: bool,
    /// The terminating `'\0'` is in the buffer (`raw_buffer` is `None`).
    closed: bool,
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// ruamel's `Reader.NON_PRINTABLE`: what a YAML stream may not contain.
fn is_yaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

impl Reader {
    pub fn new(decoded: Decoded, name: &str) -> Res<Reader> {
        let first_bad = decoded.text.iter().position(|&c| !is_yaml_printable(c));
        let mut r = Reader {
            name: name.to_string(),
            text: decoded.text,
            decode_error: decoded.error,
            first_bad,
            read: 0,
            loaded: 0,
            eof: false,
            closed: false,
            index: 0,
            line: 0,
            column: 0,
        };
        // Reader.determine_encoding: read until two characters or the end, then update(1).
        while !r.eof && r.read - r.loaded < 2 {
            r.update_raw()?;
        }
        r.update(1)?;
        Ok(r)
    }

    /// `update_raw`: one `stream.read(4096)`.
    fn update_raw(&mut self) -> Res<()> {
        if let Some(e) = &self.decode_error {
            if self.read + READ_SIZE > self.text.len() {
                return Err(python(e.clone()));
            }
        }
        let n = READ_SIZE.min(self.text.len() - self.read);
        if n == 0 {
            self.eof = true;
        }
        self.read += n;
        Ok(())
    }

    /// Characters in Python's buffer from the current position on (incl. the final `\0`).
    fn avail(&self) -> usize {
        self.loaded + usize::from(self.closed) - self.index
    }

    /// `update(length)`: read and check until `length` characters are buffered.
    fn update(&mut self, length: usize) -> Res<()> {
        if self.closed {
            return Ok(());
        }
        while self.avail() < length {
            if !self.eof {
                self.update_raw()?;
            }
            // check_printable(data) on the characters just read.
            if let Some(bad) = self.first_bad {
                if bad < self.read {
                    let c = self.text[bad] as u32;
                    return Err(Fail::Done(LoadError::Yaml(format!(
                        "unacceptable character #x{c:04x}: special characters are not allowed\n  in \"{}\", position {bad}",
                        self.name
                    ))));
                }
            }
            self.loaded = self.read;
            if self.eof {
                self.closed = true;
                break;
            }
        }
        Ok(())
    }

    fn char_at(&self, i: usize) -> Option<char> {
        if i < self.loaded {
            Some(self.text[i])
        } else if i == self.loaded && self.closed {
            Some('\0')
        } else {
            None
        }
    }

    /// `peek(index)`.
    pub fn peek(&mut self, i: usize) -> Res<char> {
        if let Some(c) = self.char_at(self.index + i) {
            return Ok(c);
        }
        self.update(i + 1)?;
        self.char_at(self.index + i)
            .ok_or_else(|| python("string index out of range"))
    }

    pub fn ch(&mut self) -> Res<char> {
        self.peek(0)
    }

    /// `prefix(length)`.
    pub fn prefix(&mut self, length: usize) -> Res<String> {
        if length >= self.avail() {
            self.update(length)?;
        }
        let end = (self.index + length).min(self.loaded + usize::from(self.closed));
        Ok((self.index..end)
            .map(|i| self.char_at(i).unwrap_or('\0'))
            .collect())
    }

    /// `forward(length)`: a line break starts a new line; a BOM does not count as a column.
    pub fn forward(&mut self, length: usize) -> Res<()> {
        if length + 1 >= self.avail() {
            self.update(length + 1)?;
        }
        for _ in 0..length {
            let c = self
                .char_at(self.index)
                .ok_or_else(|| python("string index out of range"))?;
            self.index += 1;
            if c == '\n' {
                self.line += 1;
                self.column = 0;
            } else if c != '\u{FEFF}' {
                self.column += 1;
            }
        }
        Ok(())
    }

    pub fn mark(&self) -> Mark {
        Mark {
            index: self.index,
            line: self.line,
            column: self.column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_translated() {
        assert_eq!(
            decode(b"a\r\nb\rc\n").text.iter().collect::<String>(),
            "a\nb\nc\n"
        );
    }

    #[test]
    fn decode_errors_name_the_byte_like_python() {
        assert_eq!(
            decode(b"apiVersion: v1\n\xff\n").error.unwrap(),
            "'utf-8' codec can't decode byte 0xff in position 15: invalid start byte"
        );
        assert_eq!(
            decode(b"a\xe2\x82(").error.unwrap(),
            "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
        );
        assert_eq!(
            decode(b"ab\xe2\x82").error.unwrap(),
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
    }
}
