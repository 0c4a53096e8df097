//! Windows line endings read as Unix ones, for the CSV readers of the user's files.
//!
//! The csv crate takes a record's position before it consumes the LF of the CR LF that ended
//! the record before (BurntSushi/rust-csv#395), so every line number of a file saved with
//! Windows line endings (Excel's, most CRM exports') was one short: a bad timestamp on line 41
//! was reported on line 40, one in the first row "on line 1, the header". Reading such files
//! through [`CrlfAsLf`] gives the parser only LFs, which it counts where they are.

use std::io::{self, BufRead, Read};

/// Reads `inner` with every CR LF pair turned into a single LF; a CR not followed by an LF
/// stays. A line break inside a quoted field (a note typed in a spreadsheet cell) is then an
/// LF too, the same text for every purpose dealsim reads it for.
pub struct CrlfAsLf<R> {
    inner: R,
    /// The last byte of the chunk read before was a CR, not passed on yet: it is dropped if the
    /// next chunk starts with an LF.
    held_cr: bool,
}

impl<R: BufRead> CrlfAsLf<R> {
    /// Reads `inner` with its CR LF pairs as LFs.
    pub fn new(inner: R) -> CrlfAsLf<R> {
        CrlfAsLf {
            inner,
            held_cr: false,
        }
    }
}

impl<R: BufRead> Read for CrlfAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let chunk = self.inner.fill_buf()?;
            if std::mem::take(&mut self.held_cr) && chunk.first() != Some(&b'\n') {
                out[0] = b'\r';
                return Ok(1);
            }
            if chunk.is_empty() {
                return Ok(0);
            }
            let end = chunk.len().min(out.len());
            // At most one byte is written per byte read, so `written <= read <= out.len()`.
            let (mut read, mut written) = (0, 0);
            while read < end {
                let Some(at) = memchr::memchr(b'\r', &chunk[read..end]) else {
                    out[written..written + end - read].copy_from_slice(&chunk[read..end]);
                    written += end - read;
                    read = end;
                    break;
                };
                out[written..written + at].copy_from_slice(&chunk[read..read + at]);
                written += at;
                let cr = read + at;
                read = cr + 1;
                match chunk.get(cr + 1) {
                    Some(b'\n') => {}
                    Some(_) => {
                        out[written] = b'\r';
                        written += 1;
                    }
                    None => self.held_cr = true,
                }
            }
            self.inner.consume(read);
            // Nothing written: the chunk was a lone CR, held until the next one shows what
            // follows it.
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `input` read through [`CrlfAsLf`] over a reader handing out `chunk` bytes at a time,
    /// into reads of `out` bytes.
    fn through(input: &[u8], chunk: usize, out: usize) -> Vec<u8> {
        let inner = io::BufReader::with_capacity(chunk, input);
        let mut reader = CrlfAsLf::new(inner);
        let mut got = Vec::new();
        let mut buf = vec![0; out];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn crlf_pairs_become_lf_and_other_crs_stay() {
        let input = b"a,b\r\nc,\"x\r\ny\"\r\n\rd\r\r\n\r";
        assert_eq!(through(input, 64, 64), b"a,b\nc,\"x\ny\"\n\rd\r\n\r");
    }

    #[test]
    fn a_crlf_pair_split_between_chunks_is_still_one_lf() {
        assert_eq!(through(b"ab\r\ncd", 3, 64), b"ab\ncd");
        assert_eq!(through(b"\r\n", 1, 1), b"\n");
        assert_eq!(through(b"\r", 1, 1), b"\r");
    }

    #[test]
    fn csv_line_numbers_of_a_crlf_file_are_those_of_the_lf_file() {
        let lines = |text: &str| -> Vec<u64> {
            let mut reader = csv::Reader::from_reader(CrlfAsLf::new(text.as_bytes()));
            reader
                .records()
                .map(|r| r.unwrap().position().unwrap().line())
                .collect()
        };
        let lf = "h,i\na,b\nc,d\ne,f\n";
        assert_eq!(lines(lf), [2, 3, 4]);
        assert_eq!(lines(&lf.replace('\n', "\r\n")), [2, 3, 4]);
    }

    proptest! {
        #[test]
        fn equals_replacing_every_crlf(
            input in proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a')], 0..64),
            chunk in 1usize..8,
            out in 1usize..8,
        ) {
            let expected = String::from_utf8(input.clone()).unwrap().replace("\r\n", "\n");
            prop_assert_eq!(through(&input, chunk, out), expected.into_bytes());
        }
    }
}
