//! Unit tests of the wire: buffers and socket options against a scripted server.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use super::super::config::Config;
use super::super::hosts;

fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// Reads one frontend message (or the startup packet, which has no
/// tag); returns its body.
fn read(s: &mut TcpStream, tagged: bool) -> Vec<u8> {
    let mut header = [0; 5];
    let header = if tagged { &mut header[..] } else { &mut header[1..] };
    s.read_exact(header).unwrap();
    let len = u32::from_be_bytes(header[header.len() - 4..].try_into().unwrap()) as usize;
    let mut body = vec![0; len - 4];
    s.read_exact(&mut body).unwrap();
    body
}

/// A server that accepts one connection (refusing TLS) and answers
/// each simple query with the next of `replies`.
fn server(replies: Vec<Vec<u8>>, options: &str) -> Config {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        if read(&mut s, false) == 80877103u32.to_be_bytes() {
            s.write_all(b"N").unwrap();
            read(&mut s, false);
        }
        s.write_all(&[message(b'R', &[0; 4]), message(b'Z', b"I")].concat())
            .unwrap();
        for reply in replies {
            read(&mut s, true);
            s.write_all(&reply).unwrap();
        }
        let _ = s.read(&mut [0; 16]);
    });
    Config::parse(&format!("postgres://u@127.0.0.1:{port}/db?{options}")).unwrap()
}

#[test]
fn the_read_buffer_shrinks_back_after_a_large_row() {
    let mut row = 1u16.to_be_bytes().to_vec();
    row.extend_from_slice(&(4i32 << 20).to_be_bytes());
    row.resize(row.len() + (4 << 20), b'x');
    let description = [&1u16.to_be_bytes()[..], b"x\0", &[0; 6], &25u32.to_be_bytes(), &[0; 8]].concat();
    let big = [
        message(b'T', &description),
        message(b'D', &row),
        message(b'C', b"SELECT 1\0"),
        message(b'Z', b"I"),
    ]
    .concat();
    let small = [message(b'C', b"SET\0"), message(b'Z', b"I")].concat();
    let mut wire = hosts::connect(&server(vec![big, small.clone(), small], "")).unwrap();
    wire.simple_query("SELECT big").unwrap();
    wire.simple_query("SET small").unwrap();
    wire.simple_query("SET small").unwrap();
    assert!(wire.read.capacity() <= 1 << 20, "{}", wire.read.capacity());
}

#[test]
fn keepalive_and_timeout_options_reach_the_socket() {
    let config = server(
        Vec::new(),
        "keepalives_idle=17&keepalives_interval=3&keepalives_count=4&tcp_user_timeout=9000&read_timeout_ms=1500",
    );
    let wire = hosts::connect(&config).unwrap();
    let socket = socket2::SockRef::from(wire.tcp());
    assert!(socket.keepalive().unwrap());
    #[cfg(target_os = "linux")]
    {
        assert_eq!(socket.tcp_keepalive_time().unwrap(), Duration::from_secs(17));
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), Duration::from_secs(3));
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), 4);
        assert_eq!(socket.tcp_user_timeout().unwrap(), Some(Duration::from_millis(9000)));
    }
    assert_eq!(wire.tcp().read_timeout().unwrap(), Some(Duration::from_millis(1500)));
    assert_eq!(wire.tcp().write_timeout().unwrap(), Some(Duration::from_millis(1500)));
    let off = hosts::connect(&server(Vec::new(), "keepalives=0")).unwrap();
    assert!(!socket2::SockRef::from(off.tcp()).keepalive().unwrap());
    assert_eq!(off.tcp().read_timeout().unwrap(), None);
}
