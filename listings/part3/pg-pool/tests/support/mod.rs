// A throwaway PostgreSQL server for the tests: a new cluster in a temporary
// folder, on a free loopback port, stopped and removed when the value is
// dropped (also when a test panics, since drop runs while unwinding).
//
// It uses the programs of the `postgresql` package (Debian:
// `apt install postgresql`), found on PATH or in /usr/lib/postgresql/*/bin.
// `initdb` refuses to run as root, so as root the server runs as the
// `postgres` user the package creates.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    server: Child,
    port: u16,
    // Last, so the folder is removed after the server has stopped.
    _dir: tempfile::TempDir,
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = find_bin_dir().expect(
            "no PostgreSQL programs (initdb, postgres) on PATH or in \
             /usr/lib/postgresql/*/bin: apt install postgresql",
        );
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        if running_as_root() {
            let user = std::os::unix::fs::chown(
                dir.path(),
                Some(uid("postgres")),
                None,
            );
            user.expect("the `postgres` user (from the postgresql package)");
        }
        let initdb = as_server_user(&bin.join("initdb"))
            .args(["--auth=trust", "--username=postgres", "--no-sync"])
            .arg("--pgdata")
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = free_port();
        let server = as_server_user(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            // The Unix socket goes in our folder, not /var/run/postgresql.
            .arg("-k")
            .arg(dir.path())
            .args(["-c", "fsync=off", "-c", "max_connections=20"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut postgres = Postgres {
            bin,
            data,
            server,
            port,
            _dir: dir,
        };
        postgres.wait_until_ready();
        postgres
    }

    /// A connection string for tokio-postgres (and libpq).
    pub fn url(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .unwrap();
            if ready.success() {
                return;
            }
            if let Some(status) = self.server.try_wait().unwrap() {
                panic!("postgres exited while starting: {status}");
            }
            assert!(Instant::now() < deadline, "postgres did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A fast shutdown ends the sessions and waits for the server.
        let stopped = as_server_user(&self.bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !stopped.is_ok_and(|status| status.success()) {
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let has_programs = |dir: &Path| {
        dir.join("initdb").exists() && dir.join("postgres").exists()
    };
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>());
    // Debian keeps the server programs out of PATH, one folder per version:
    // take the newest.
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .collect();
    debian.sort_by_key(|dir| {
        let version = dir.parent().and_then(|v| v.file_name());
        let version = version.and_then(|v| v.to_str()).unwrap_or("");
        std::cmp::Reverse(version.parse::<u32>().unwrap_or(0))
    });
    let dir = on_path.chain(debian).find(|dir| has_programs(dir))?;
    // /usr/local/bin/initdb may be a link into the folder that also holds
    // pg_ctl and pg_isready.
    let initdb = dir.join("initdb").canonicalize().ok()?;
    initdb.parent().map(Path::to_path_buf)
}

fn running_as_root() -> bool {
    let id = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

fn uid(user: &str) -> u32 {
    let id = Command::new("id").args(["-u", user]).output().unwrap();
    assert!(id.status.success(), "there is no user `{user}`");
    String::from_utf8_lossy(&id.stdout).trim().parse().unwrap()
}

/// The command, run as the `postgres` user when we are root.
fn as_server_user(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
