//! The wire format: the server sends `<id> <text>\n`, the agent answers `ack
//! <id>\n`.

use std::fmt;
use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// The longest line the agent accepts, newline not counted.
pub const MAX_LINE: usize = 1024;

/// One message from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub text: String,
}

// ANCHOR: read_line
/// What one read from the connection produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A whole line, in the buffer, without its newline.
    Complete,
    /// A line longer than `MAX_LINE`; it was read to its end and thrown away.
    TooLong,
    /// The connection closed after part of a line.
    Cut,
    /// The connection closed between lines.
    End,
}

/// Reads one line into `buf`, never holding more than `MAX_LINE + 1` bytes of
/// it.
pub async fn read_line<R>(reader: &mut R, buf: &mut Vec<u8>) -> io::Result<Line>
where
    R: AsyncBufRead + Unpin,
{
    buf.clear();
    // `take` stops a server that never sends a newline from filling our memory.
    let limit = MAX_LINE as u64 + 1;
    (&mut *reader).take(limit).read_until(b'\n', buf).await?;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        // A line may end in "\r\n" too; the "\r" is part of the ending,
        // not of the message (the same rule as tokio's `Lines`).
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Line::Complete);
    }
    if buf.is_empty() {
        return Ok(Line::End);
    }
    if buf.len() <= MAX_LINE {
        return Ok(Line::Cut);
    }
    // ANCHOR_END: read_line
    // ANCHOR: skip_long_line
    // Too long: skip the rest of it, so that the next read starts on the next
    // line.
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(Line::TooLong);
        }
        match chunk.iter().position(|&byte| byte == b'\n') {
            Some(newline) => {
                reader.consume(newline + 1);
                return Ok(Line::TooLong);
            }
            None => {
                let skipped = chunk.len();
                reader.consume(skipped);
            }
        }
    }
}
// ANCHOR_END: skip_long_line

/// Why a line is not a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadLine {
    NotUtf8,
    NoText,
    BadId(String),
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadLine::NotUtf8 => write!(f, "it is not valid UTF-8"),
            BadLine::NoText => {
                write!(f, "it has no space between the id and the text")
            }
            BadLine::BadId(id) => write!(f, "{id:?} is not a valid id"),
        }
    }
}

// ANCHOR: parse
/// Parses `<id> <text>`, where the id is a non-negative whole number.
pub fn parse_message(line: &[u8]) -> Result<Message, BadLine> {
    let line = std::str::from_utf8(line).map_err(|_| BadLine::NotUtf8)?;
    let (id, text) = line.split_once(' ').ok_or(BadLine::NoText)?;
    let digits_only = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    let id = match id.parse::<i64>() {
        Ok(number) if digits_only => number,
        _ => return Err(BadLine::BadId(id.to_string())),
    };
    Ok(Message {
        id,
        text: text.to_string(),
    })
}
// ANCHOR_END: parse

/// Parses the agent's answer, `ack <id>`.
pub fn parse_ack(line: &str) -> Option<i64> {
    let id = line.strip_prefix("ack ")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_an_id_a_space_and_a_text() {
        let message = parse_message(b"42 hello world").unwrap();
        assert_eq!(message.id, 42);
        assert_eq!(message.text, "hello world");
        assert_eq!(parse_message(b"7 ").unwrap().text, "");
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert_eq!(parse_message(b"\xff\xfe 1"), Err(BadLine::NotUtf8));
        assert_eq!(parse_message(b"42"), Err(BadLine::NoText));
        assert_eq!(parse_message(b"x42 hi"), Err(BadLine::BadId("x42".into())));
        assert_eq!(parse_message(b"-1 hi"), Err(BadLine::BadId("-1".into())));
        assert_eq!(parse_message(b"+1 hi"), Err(BadLine::BadId("+1".into())));
        assert_eq!(parse_message(b" hi"), Err(BadLine::BadId("".into())));
        let too_big = b"99999999999999999999 hi";
        assert!(matches!(parse_message(too_big), Err(BadLine::BadId(_))));
    }

    #[test]
    fn acks_are_parsed_strictly() {
        assert_eq!(parse_ack("ack 42"), Some(42));
        for bad in ["ack", "ack ", "ack x", "ACK 1", "ack 1 2", "hello"] {
            assert_eq!(parse_ack(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn long_lines_are_skipped_to_their_end() {
        let mut input = Vec::new();
        input.extend_from_slice(b"1 short\n");
        input.extend(std::iter::repeat_n(b'a', 5 * MAX_LINE));
        input.extend_from_slice(b"\n2 after\n3 cut");
        let mut reader = tokio::io::BufReader::with_capacity(64, &input[..]);
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut reader, &mut buf).await.unwrap(),
            Line::Complete
        );
        assert_eq!(buf, b"1 short");
        assert_eq!(
            read_line(&mut reader, &mut buf).await.unwrap(),
            Line::TooLong
        );
        assert_eq!(
            read_line(&mut reader, &mut buf).await.unwrap(),
            Line::Complete
        );
        assert_eq!(buf, b"2 after");
        assert_eq!(read_line(&mut reader, &mut buf).await.unwrap(), Line::Cut);
        assert_eq!(buf, b"3 cut");
        assert_eq!(read_line(&mut reader, &mut buf).await.unwrap(), Line::End);
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_is_accepted() {
        let mut input = vec![b'b'; MAX_LINE];
        input.push(b'\n');
        let mut reader = tokio::io::BufReader::new(&input[..]);
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut reader, &mut buf).await.unwrap(),
            Line::Complete
        );
        assert_eq!(buf.len(), MAX_LINE);
    }
}
