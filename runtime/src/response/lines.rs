//! Splitting a byte stream into lines for JSON Lines, sans I/O: push chunks,
//! pull `(line_number, line)` for each line that is not blank.

use std::mem;

use bytes::{Bytes, BytesMut};

/// A line longer than the limit: the splitter stops rather than grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineTooLong {
    /// The 1-based number of the line.
    pub(crate) line: u64,
    /// The limit in bytes.
    pub(crate) limit: usize,
}

/// Lines end in LF or CRLF; a last line without one still counts at the end
/// of the stream. Blank lines (only ASCII whitespace) are skipped but
/// numbered. A line within one chunk is a slice of it, not a copy.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    max_line: usize,
    chunk: Bytes,
    /// A partial line carried over from earlier chunks.
    partial: BytesMut,
    /// The number of the line being read (1-based).
    line: u64,
}

impl LineSplitter {
    pub(crate) fn new(max_line: usize) -> Self {
        LineSplitter {
            max_line,
            chunk: Bytes::new(),
            partial: BytesMut::new(),
            line: 1,
        }
    }

    /// Gives the splitter the next chunk; any unread rest of the previous
    /// one is kept in front of it.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if self.chunk.is_empty() {
            self.chunk = chunk;
        } else {
            let mut joined = BytesMut::with_capacity(self.chunk.len().saturating_add(chunk.len()));
            joined.extend_from_slice(&self.chunk);
            joined.extend_from_slice(&chunk);
            self.chunk = joined.freeze();
        }
    }

    /// The next complete non-blank line in what was pushed, if there is one.
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, Bytes)>, LineTooLong> {
        while !self.chunk.is_empty() {
            let Some(end) = self.chunk.iter().position(|&b| b == b'\n') else {
                self.check(self.chunk.len(), self.chunk.last())?;
                self.partial.extend_from_slice(&self.chunk);
                self.chunk = Bytes::new();
                break;
            };
            let last = match end.checked_sub(1) {
                Some(i) => self.chunk.get(i),
                None => self.partial.last(),
            };
            self.check(end, last)?;
            let mut line = self.chunk.split_to(end + 1);
            line.truncate(end);
            let line = if self.partial.is_empty() {
                line
            } else {
                self.partial.extend_from_slice(&line);
                mem::take(&mut self.partial).freeze()
            };
            if let Some(found) = self.finish_line(line) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The end of the stream: the last line if it had no line end.
    pub(crate) fn end_of_stream(&mut self) -> Option<(u64, Bytes)> {
        let mut rest = mem::take(&mut self.partial);
        rest.extend_from_slice(&mem::take(&mut self.chunk));
        self.finish_line(rest.freeze())
    }

    /// Fails when the partial line and `more` bytes, whose last is `last`,
    /// are longer than the limit. A CR at the end is not counted: it may be
    /// the first half of a CR LF.
    fn check(&self, more: usize, last: Option<&u8>) -> Result<(), LineTooLong> {
        let cr = usize::from(last == Some(&b'\r'));
        if self.partial.len().saturating_add(more).saturating_sub(cr) > self.max_line {
            return Err(LineTooLong {
                line: self.line,
                limit: self.max_line,
            });
        }
        Ok(())
    }

    fn finish_line(&mut self, mut line: Bytes) -> Option<(u64, Bytes)> {
        let number = self.line;
        self.line = self.line.saturating_add(1);
        if line.last() == Some(&b'\r') {
            line.truncate(line.len() - 1);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some((number, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max_line: usize) -> Result<Vec<(u64, Vec<u8>)>, LineTooLong> {
        let mut splitter = LineSplitter::new(max_line);
        let mut lines = Vec::new();
        for chunk in chunks {
            splitter.push(Bytes::copy_from_slice(chunk));
            while let Some((n, line)) = splitter.next_line()? {
                lines.push((n, line.to_vec()));
            }
        }
        lines.extend(splitter.end_of_stream().map(|(n, l)| (n, l.to_vec())));
        Ok(lines)
    }

    fn lines(text: &str) -> Vec<(u64, String)> {
        split(&[text.as_bytes()], 1024)
            .expect("within the limit")
            .into_iter()
            .map(|(n, l)| (n, String::from_utf8(l).expect("utf-8")))
            .collect()
    }

    fn owned(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
        expected
            .iter()
            .map(|(n, l)| (*n, (*l).to_owned()))
            .collect()
    }

    #[test]
    fn lf_and_crlf_end_lines() {
        assert_eq!(
            lines("{\"a\":1}\n{\"b\":2}\r\n{\"c\":3}\n"),
            owned(&[(1, "{\"a\":1}"), (2, "{\"b\":2}"), (3, "{\"c\":3}")])
        );
    }

    #[test]
    fn a_last_line_without_a_newline_is_a_line() {
        assert_eq!(lines("1\n2"), owned(&[(1, "1"), (2, "2")]));
        assert_eq!(lines("1\r\n2\r"), owned(&[(1, "1"), (2, "2")]));
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        assert_eq!(lines("\n1\n\r\n  \t\n2\n\n"), owned(&[(2, "1"), (5, "2")]));
        assert!(lines("").is_empty());
        assert!(lines("\n\n").is_empty());
    }

    #[test]
    fn a_lone_cr_inside_a_line_is_kept() {
        assert_eq!(lines("a\rb\n"), owned(&[(1, "a\rb")]));
    }

    #[test]
    fn a_line_within_one_chunk_is_not_copied() {
        let chunk = Bytes::from_static(b"abc\ndef\n");
        let mut splitter = LineSplitter::new(16);
        splitter.push(chunk.clone());
        let (_, line) = splitter.next_line().expect("ok").expect("a line");
        assert_eq!(line.as_ptr(), chunk.as_ptr());
    }

    #[test]
    fn a_line_over_the_limit_is_an_error_naming_it() {
        assert!(split(&[b"1\n1234\n"], 4).is_ok(), "4 bytes fit");
        assert!(split(&[b"1\n1234\r\n"], 4).is_ok(), "CR LF is not counted");
        assert!(
            split(&[b"1\n1234\r", b"\n"], 4).is_ok(),
            "nor a split CR LF"
        );
        assert_eq!(
            split(&[b"1\n12345\n"], 4),
            Err(LineTooLong { line: 2, limit: 4 })
        );
        // No line end in sight: it stops as soon as the limit is passed.
        assert_eq!(
            split(&[b"\n12", b"34", b"5"], 4),
            Err(LineTooLong { line: 2, limit: 4 })
        );
    }

    #[test]
    fn the_result_does_not_depend_on_where_chunks_split() {
        let sample: &[u8] =
            b"\n{\"id\":1}\r\n\r\n{\"id\":2,\"t\":\"\xC3\xA9\"}\n  \n{bad\n{\"id\":3}";
        let expected = split(&[sample], 64).expect("ok");
        assert_eq!(expected.len(), 4);
        assert_eq!(expected[3], (7, b"{\"id\":3}".to_vec()));
        for i in 0..=sample.len() {
            let (a, b) = sample.split_at(i);
            assert_eq!(split(&[a, b], 64).expect("ok"), expected, "split at {i}");
            for j in i..=sample.len() {
                let (b, c) = sample[i..].split_at(j - i);
                assert_eq!(split(&[a, b, c], 64).expect("ok"), expected, "{i}, {j}");
            }
        }
        let bytes: Vec<&[u8]> = sample.chunks(1).collect();
        assert_eq!(split(&bytes, 64).expect("ok"), expected, "byte by byte");
    }
}
