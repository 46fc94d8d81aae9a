//! Framing for the tests' scripted PostgreSQL servers: a backend message
//! as bytes, and a frontend packet read off the socket.

use std::io::{self, Read};
use std::net::TcpStream;

/// A backend message: its tag, its length (itself included) and `body`.
pub fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 5);
    m.push(tag);
    m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// One packet from the client: a tagged message, or (untagged) a
/// startup-style packet (startup, SSLRequest, CancelRequest); the tag is 0
/// for the untagged ones.
pub fn read_packet(s: &mut TcpStream, tagged: bool) -> io::Result<(u8, Vec<u8>)> {
    let mut tag = [0];
    if tagged {
        s.read_exact(&mut tag)?;
    }
    let mut len = [0; 4];
    s.read_exact(&mut len)?;
    let mut body = vec![0; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
    s.read_exact(&mut body)?;
    Ok((tag[0], body))
}
