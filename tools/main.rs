//! `cargo run` serves the book with live reload; `cargo run -- build` writes it to `book/`.

use std::process::ExitCode;

use async_book::{book, serve};

const HELP: &str = "\
Builds and serves the book \"Async Rust, a beginner's guide\".

Usage:
  cargo run [-- serve] [--port PORT]   build the book, serve it on http://127.0.0.1:PORT
                                       and rebuild it (and reload open pages) whenever a file
                                       under src/, listings/ or theme/ changes
  cargo run -- build [--dest DIR]      build the book once into book/ (or DIR) and exit;
                                       exits non-zero if anything is wrong with the book

Options:
  -p, --port PORT   the port to serve on (default 3000)
  -d, --dest DIR    where `build` writes the site (default: book/)
  -h, --help        show this help

The build is strict: a missing include or anchor, a link that leads nowhere, a `{{#` left in
a page, or any warning from mdBook is an error.";

enum Command {
    Serve { port: u16 },
    Build { dest: Option<std::path::PathBuf> },
    Help,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let mut command = None;
    let mut port = 3000;
    let mut dest = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-p" | "--port" => {
                let value = args
                    .next()
                    .ok_or("--port needs a number, such as --port 3001")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port needs a number from 1 to 65535, not `{value}`"))?;
            }
            "-d" | "--dest" => {
                dest = Some(args.next().ok_or("--dest needs a folder")?.into());
            }
            "serve" | "build" if command.is_none() => command = Some(arg.clone()),
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    match command.as_deref() {
        Some("build") => Ok(Command::Build { dest }),
        _ if dest.is_some() => Err("--dest goes with `build`".into()),
        _ => Ok(Command::Serve { port }),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match parse(&args) {
        Ok(Command::Help) => {
            println!("{HELP}");
            Ok(())
        }
        Ok(Command::Build { dest }) => build(dest),
        Ok(Command::Serve { port }) => run_server(port),
        Err(message) => Err(anyhow::anyhow!(message)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn build(dest: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let options = book::Options {
        output: dest,
        ..Default::default()
    };
    let built = book::build(&async_book::root(), &options)?;
    println!(
        "Built the book into {} in {:.2?}",
        built.output.display(),
        built.took
    );
    Ok(())
}

fn run_server(port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = serve::bind(port).await?;
        serve::serve(async_book::root(), listener).await
    })
}
