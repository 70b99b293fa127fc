//! Line ends on Windows. CPython opens `sys.stdout` and `sys.stderr` in text mode with
//! universal newlines there (`create_stdio`: `newline=None` on `MS_WINDOWS`), so every `\n`
//! the AWS CLI prints reaches the pipe or console as `\r\n`. [`Crlf`] does the same to a
//! writer; main.rs uses it for both streams on Windows only.

use std::io::{self, Write};

/// Writes each `\n` as `\r\n`, as Python's text-mode streams on Windows do (a `\r\n`
/// already in the text becomes `\r\r\n` there too).
pub struct Crlf<W>(pub W);

impl<W: Write> Write for Crlf<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, piece) in buf.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.0.write_all(b"\r\n")?;
            }
            self.0.write_all(piece)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_newline_becomes_crlf() {
        let mut out = Crlf(Vec::new());
        out.write_all(b"{\n    \"a\": 1\n}\n\n").unwrap();
        out.write_all(b"x\r\ny").unwrap();
        assert_eq!(out.0, b"{\r\n    \"a\": 1\r\n}\r\n\r\nx\r\r\ny");
    }
}
