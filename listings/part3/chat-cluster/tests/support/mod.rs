// A throwaway Redis server for the tests: `redis-server` (Debian:
// `apt install redis-server`) on a free loopback port, with no persistence
// and its working folder in a temporary directory. It is stopped and the
// folder removed when the value is dropped, also when a test panics (drop
// runs while unwinding).

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Redis {
    server: Child,
    port: u16,
    // Last, so the folder is removed after the server has stopped.
    _dir: tempfile::TempDir,
}

impl Redis {
    pub fn start() -> Redis {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let server = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is not on PATH: apt install redis-server");
        let mut redis = Redis {
            server,
            port,
            _dir: dir,
        };
        redis.wait_until_ready();
        redis
    }

    /// A URL for the redis crate's `Client::open`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !answers_ping(self.port) {
            if let Some(status) = self.server.try_wait().unwrap() {
                panic!("redis-server exited while starting: {status}");
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // Nothing is saved, so there is nothing to lose by killing it.
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut reply = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
