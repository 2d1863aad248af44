//! Text saved as UTF-16 (Excel's "Unicode Text", Notepad's "Unicode"), read
//! as UTF-8 so that every reader after it sees one encoding. The decoding is
//! the standard library's; this is only the streaming around it.
//! (encoding_rs_io 0.1.8 was tried instead: when the caller's buffer is
//! small at the end of the input, as in `read_to_end`, it cuts the last
//! character's UTF-8 short; see `a_pair_split_across_reads_is_joined`.)

use std::io::{BufRead, Read};

/// Which byte order a UTF-16 byte order mark at the start of `head` names.
pub(super) fn byte_order(head: &[u8]) -> Option<ByteOrder> {
    match head {
        [0xFF, 0xFE, ..] => Some(ByteOrder::Little),
        [0xFE, 0xFF, ..] => Some(ByteOrder::Big),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    fn unit(self, pair: [u8; 2]) -> u16 {
        match self {
            ByteOrder::Little => u16::from_le_bytes(pair),
            ByteOrder::Big => u16::from_be_bytes(pair),
        }
    }
}

/// What stands for a code unit that is not part of a character (a lone
/// surrogate, an odd last byte): a byte that is never valid UTF-8, so the
/// record holding it is an error ("not UTF-8 text") and the others are read.
const BROKEN: u8 = 0xFF;

/// How many bytes of UTF-16 are decoded at a time.
const CHUNK: usize = 16 * 1024;

/// A reader of UTF-16 text (its byte order mark already consumed) giving
/// UTF-8.
pub(super) struct Utf16ToUtf8<R> {
    inner: R,
    order: ByteOrder,
    /// Bytes read but not decoded yet: an odd byte, or a high surrogate
    /// whose pair may be in the next read.
    pending: Vec<u8>,
    /// Decoded UTF-8 not handed out yet, from `at`.
    out: Vec<u8>,
    at: usize,
    ended: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub(super) fn new(inner: R, order: ByteOrder) -> Self {
        Utf16ToUtf8 {
            inner,
            order,
            pending: Vec::with_capacity(CHUNK + 4),
            out: Vec::with_capacity(CHUNK * 3 / 2),
            at: 0,
            ended: false,
        }
    }

    /// Decodes the next chunk into `out`; leaves `out` empty only at the end.
    fn refill(&mut self) -> std::io::Result<()> {
        self.out.clear();
        self.at = 0;
        while self.out.is_empty() && !self.ended {
            let kept = self.pending.len();
            self.pending.resize(kept + CHUNK, 0);
            let read = loop {
                match self.inner.read(&mut self.pending[kept..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let read = read.inspect_err(|_| self.pending.truncate(kept))?;
            self.pending.truncate(kept + read);
            self.ended = read == 0;
            let order = self.order;
            let mut units: Vec<u16> = self
                .pending
                .chunks_exact(2)
                .map(|pair| order.unit([pair[0], pair[1]]))
                .collect();
            let mut used = units.len() * 2;
            // A high surrogate at the end waits for its pair, unless nothing follows.
            if !self.ended && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
                units.pop();
                used -= 2;
            }
            for decoded in char::decode_utf16(units) {
                match decoded {
                    Ok(c) => {
                        let mut bytes = [0; 4];
                        self.out
                            .extend_from_slice(c.encode_utf8(&mut bytes).as_bytes());
                    }
                    Err(_) => self.out.push(BROKEN),
                }
            }
            self.pending.drain(..used);
            if self.ended && !self.pending.is_empty() {
                self.pending.clear();
                self.out.push(BROKEN);
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// `reader` as UTF-8: itself, or decoded from UTF-16 when it starts with a
/// UTF-16 byte order mark (which is dropped).
pub(super) fn as_utf8(
    mut reader: Box<dyn BufRead + Send>,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    let Some(order) = byte_order(reader.fill_buf()?) else {
        return Ok(reader);
    };
    reader.consume(2);
    Ok(Box::new(std::io::BufReader::with_capacity(
        CHUNK * 4,
        Utf16ToUtf8::new(reader, order),
    )))
}

/// The start of `head` as UTF-8 text, decoded when it is UTF-16 (for
/// guessing a format from the first bytes).
pub(super) fn head_as_utf8(head: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let Some(order) = byte_order(head) else {
        return head.into();
    };
    let mut text = Vec::new();
    // The head is in memory: reading it cannot fail.
    let _ = Utf16ToUtf8::new(&head[2..], order).read_to_end(&mut text);
    text.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, order: ByteOrder, bom: bool) -> Vec<u8> {
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        units
            .flat_map(|u| match order {
                ByteOrder::Little => u.to_le_bytes(),
                ByteOrder::Big => u.to_be_bytes(),
            })
            .collect()
    }

    fn decode(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        as_utf8(Box::new(std::io::Cursor::new(bytes.to_vec())))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn both_byte_orders_decode_to_the_same_text() {
        // Vietnamese, an emoji (a surrogate pair), and enough text that
        // chunks end inside characters and inside pairs.
        let text = "id\tname\n1\tCông ty Đồng Tháp 🏭 ở Tây Ninh\n".repeat(3000);
        for order in [ByteOrder::Little, ByteOrder::Big] {
            assert_eq!(decode(&encode(&text, order, true)), text.as_bytes());
        }
    }

    #[test]
    fn text_without_a_utf16_mark_passes_through_unchanged() {
        let text = "\u{feff}id,name\n1,Công ty\n";
        assert_eq!(decode(text.as_bytes()), text.as_bytes());
        assert_eq!(&*head_as_utf8(text.as_bytes()), text.as_bytes());
    }

    #[test]
    fn a_broken_unit_becomes_one_invalid_byte_and_the_rest_is_read() {
        let mut bytes = encode("a\n", ByteOrder::Little, true);
        bytes.extend_from_slice(&0xDC00u16.to_le_bytes()); // a lone low surrogate
        bytes.extend(encode("b\n", ByteOrder::Little, false));
        bytes.extend_from_slice(&0xD800u16.to_le_bytes()); // a high one with no pair
        bytes.extend(encode("c", ByteOrder::Little, false));
        bytes.push(b'x'); // an odd last byte
        assert_eq!(decode(&bytes), b"a\n\xFFb\n\xFFc\xFF");
    }

    #[test]
    fn a_pair_split_across_reads_is_joined() {
        // A reader that gives one byte at a time.
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some(&b) = self.0.get(self.1) else {
                    return Ok(0);
                };
                buf[0] = b;
                self.1 += 1;
                Ok(1)
            }
        }
        let text = "Đ🏭ư";
        let mut out = String::new();
        Utf16ToUtf8::new(
            Trickle(encode(text, ByteOrder::Big, false), 0),
            ByteOrder::Big,
        )
        .read_to_string(&mut out)
        .unwrap();
        assert_eq!(out, text);

        // And a caller that reads one byte at a time gets every byte, the
        // last character's too.
        let mut bytes = encode(text, ByteOrder::Little, false);
        bytes.push(b'x');
        let mut reader = Utf16ToUtf8::new(&bytes[..], ByteOrder::Little);
        let (mut out, mut byte) = (Vec::new(), [0u8; 1]);
        while reader.read(&mut byte).unwrap() == 1 {
            out.push(byte[0]);
        }
        assert_eq!(out, [text.as_bytes(), b"\xFF"].concat());
    }

    #[test]
    fn the_head_is_decoded_for_sniffing() {
        let bytes = encode("{\"id\": \"1\"}\n", ByteOrder::Little, true);
        assert_eq!(&*head_as_utf8(&bytes), b"{\"id\": \"1\"}\n");
    }
}
