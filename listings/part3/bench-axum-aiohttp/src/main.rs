//! The same small JSON endpoint served by axum (three runtime flavours) and
//! by Python's aiohttp, each loaded by the same load generator in turn.
//! Run it with `cargo run -p bench-axum-aiohttp --release`; `-- --seconds S`
//! and `-- --connections N` change the load.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::{Json, Router, routing::get};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpStream, tcp::OwnedReadHalf};
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// The aiohttp server, run with `python3 -c`.
const AIOHTTP_SERVER: &str = include_str!("../aiohttp_server.py");

// ANCHOR: server
async fn hello() -> Json<Value> {
    Json(json!({ "message": "hello", "id": 42 }))
}

/// The axum server, in a process of its own: `flavour` picks the runtime.
fn serve_axum(flavour: &str) -> anyhow::Result<()> {
    let runtime = match flavour {
        "current-thread" => tokio::runtime::Builder::new_current_thread(),
        "1-worker" | "2-workers" => {
            let workers = if flavour == "1-worker" { 1 } else { 2 };
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(workers);
            builder
        }
        other => bail!("unknown runtime flavour {other:?}"),
    }
    .enable_all()
    .build()?;
    runtime.block_on(async {
        let app = Router::new().route("/json", get(hello));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        // The parent reads the port from this line.
        println!("{}", listener.local_addr()?.port());
        axum::serve(listener, app).await?;
        Ok(())
    })
}
// ANCHOR_END: server

// ANCHOR: connection
/// One keep-alive connection sending requests one after another until `end`:
/// the latency of each request sent after `warm_up`, in microseconds.
async fn connection(
    port: u16,
    warm_up: Instant,
    end: Instant,
) -> anyhow::Result<Vec<u32>> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let request =
        format!("GET /json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut latencies = Vec::new();
    loop {
        let sent = Instant::now();
        if sent >= end {
            return Ok(latencies);
        }
        writer.write_all(request.as_bytes()).await?;
        read_response(&mut reader).await?;
        if sent >= warm_up {
            latencies.push(sent.elapsed().as_micros() as u32);
        }
    }
}
// ANCHOR_END: connection

// ANCHOR: response
/// Reads one response: the status line, headers up to an empty line, and
/// as many bytes of body as `Content-Length` says.
async fn read_response(
    reader: &mut BufReader<OwnedReadHalf>,
) -> anyhow::Result<()> {
    let (mut line, mut length) = (String::new(), None);
    for index in 0.. {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            bail!("the server closed the connection");
        }
        if index == 0 && !line.starts_with("HTTP/1.1 200") {
            bail!("the server answered {line:?}");
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>()?);
        }
    }
    let length = length.context("a response without Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(())
}
// ANCHOR_END: response

/// What one server managed under the load.
struct Figures {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

// ANCHOR: load
/// Loads the server on `port` with `connections` connections, all tasks of
/// this one thread, and measures it for `seconds` after a warm-up.
async fn generate(port: u16, load: &Load) -> anyhow::Result<Figures> {
    let warm_up = Instant::now() + load.warm_up();
    let end = warm_up + Duration::from_secs_f64(load.seconds);
    let mut connections = tokio::task::JoinSet::new();
    for _ in 0..load.connections {
        connections.spawn(connection(port, warm_up, end));
    }
    let mut latencies = Vec::new();
    while let Some(measured) = connections.join_next().await {
        latencies.extend(measured??);
    }
    if latencies.is_empty() {
        bail!("no request was answered in {} s", load.seconds);
    }
    latencies.sort_unstable();
    let at = |share: f64| {
        let index = ((latencies.len() - 1) as f64 * share).round() as usize;
        f64::from(latencies[index]) / 1000.0
    };
    Ok(Figures {
        per_second: latencies.len() as f64 / load.seconds,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    })
}
// ANCHOR_END: load

/// The load: how many connections, for how long.
struct Load {
    connections: usize,
    seconds: f64,
}

impl Load {
    fn warm_up(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / 5.0)
    }
}

/// Starts a server process and reads the port it printed.
async fn start(mut command: Command) -> anyhow::Result<(Child, u16)> {
    command.stdout(Stdio::piped()).kill_on_drop(true);
    let mut child = command.spawn().context("starting a server")?;
    let mut line = String::new();
    let stdout = child.stdout.take().context("the server's stdout")?;
    BufReader::new(stdout).read_line(&mut line).await?;
    let port = line.trim().parse().with_context(|| {
        format!("the server printed {line:?}, not its port")
    })?;
    Ok((child, port))
}

async fn measure(command: Command, load: &Load) -> anyhow::Result<Figures> {
    let (mut server, port) = start(command).await?;
    let figures = generate(port, load).await;
    server.kill().await?;
    figures
}

async fn aiohttp_installed() -> bool {
    let probe = Command::new("python3")
        .args(["-c", "import aiohttp"])
        .stderr(Stdio::null())
        .status()
        .await;
    probe.is_ok_and(|status| status.success())
}

fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn row(name: &str, figures: &Figures) {
    println!(
        "{name:<22}{:>10}{:>9.2}{:>9.2}",
        thousands(figures.per_second),
        figures.p50_ms,
        figures.p99_ms
    );
}

const FLAVOURS: [&str; 3] = ["current-thread", "1-worker", "2-workers"];

async fn bench(load: Load) -> anyhow::Result<()> {
    println!(
        "{} keep-alive connections, {} s per server after a {} s warm-up;",
        load.connections,
        load.seconds,
        load.warm_up().as_secs_f64()
    );
    println!("the load generator is one thread, in a process of its own");
    println!();
    println!(
        "{:<22}{:>10}{:>9}{:>9}",
        "server", "req/s", "p50 ms", "p99 ms"
    );
    let mut axum_figures = Vec::new();
    for flavour in FLAVOURS {
        let mut command = Command::new(std::env::current_exe()?);
        command.args(["serve-axum", flavour]);
        let figures = measure(command, &load).await?;
        row(&format!("axum {flavour}"), &figures);
        axum_figures.push((flavour, figures));
    }
    if !aiohttp_installed().await {
        println!(
            "aiohttp skipped: python3 cannot import it (pip install aiohttp)"
        );
        return Ok(());
    }
    let mut command = Command::new("python3");
    command.args(["-c", AIOHTTP_SERVER]);
    let aiohttp = measure(command, &load).await?;
    row("aiohttp", &aiohttp);
    println!();
    for (flavour, figures) in &axum_figures {
        println!(
            "aiohttp vs axum {flavour}: axum {:.1}x the req/s, {:.2}x the p99",
            figures.per_second / aiohttp.per_second,
            figures.p99_ms / aiohttp.p99_ms
        );
    }
    Ok(())
}

fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<Load> {
    let mut load = Load {
        connections: 50,
        seconds: 10.0,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--connections" => load.connections = value.parse()?,
            "--seconds" => load.seconds = value.parse()?,
            other => {
                bail!("unknown option {other:?} (--connections, --seconds)")
            }
        }
    }
    if load.connections == 0 || load.seconds.is_nan() || load.seconds <= 0.0 {
        bail!("--connections and --seconds must be more than zero");
    }
    Ok(load)
}

// ANCHOR: main
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("serve-axum") {
        let flavour = args.nth(1).context("serve-axum needs a flavour")?;
        return serve_axum(&flavour);
    }
    let load = parse(args)?;
    // The load generator's own runtime: one thread, so it takes one core and
    // leaves the other to the server.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(bench(load))
}
// ANCHOR_END: main
