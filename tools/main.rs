//! `cargo run` serves the book with live reload; `cargo run -- build` writes it to `book/`.

use std::path::PathBuf;
use std::process::ExitCode;

use async_book::{book, serve};
use clap::{Parser, Subcommand};

/// Builds and serves the book "Async Rust, a beginner's guide".
#[derive(Debug, Parser)]
#[command(
    name = "async-book",
    after_help = "\
Examples:
  cargo run                      serve on http://127.0.0.1:3000 (the default)
  cargo run -- --port 3001       serve on http://127.0.0.1:PORT
  cargo run -- build             write the site to book/ and exit

The build is strict: a missing include or anchor, a link that leads nowhere, a `{{#` left in
a page, Markdown left raw, or any warning from mdBook is an error. While serving, a build with
problems is reported and never replaces the pages being served."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The port to serve on
    #[arg(short, long, default_value_t = 3000, global = true)]
    port: u16,
    /// The book to build: the folder with its book.toml (default: this repository)
    #[arg(long, value_name = "DIR", global = true)]
    book: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the book, serve it on http://127.0.0.1:PORT, and rebuild it (and reload open
    /// pages) whenever a file under src/, listings/ or theme/ changes (the default)
    Serve,
    /// Build the book once and exit; exits non-zero if anything is wrong with the book
    Build {
        /// Where to write the site (default: book/)
        #[arg(short, long, value_name = "DIR")]
        dest: Option<PathBuf>,
    },
    /// Expand the book's own directives as an mdBook preprocessor: what stock `mdbook build`
    /// runs (book.toml declares it)
    #[command(hide = true)]
    Preprocessor {
        /// `supports RENDERER`, as mdBook asks; nothing to preprocess the book on stdin
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help: clap's own text, on stdout.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // One line says what is wrong; --help says the rest.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first} (see --help)");
            return ExitCode::FAILURE;
        }
    };
    let root = cli.book.clone().unwrap_or_else(async_book::root);
    let outcome = match cli.command {
        Some(Command::Build { dest }) => build(&root, dest),
        Some(Command::Serve) | None => run_server(root, cli.port),
        Some(Command::Preprocessor { args }) => {
            async_book::figures::run_as_command(&args, std::io::stdin(), std::io::stdout().lock())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn build(root: &std::path::Path, dest: Option<PathBuf>) -> anyhow::Result<()> {
    let options = book::Options {
        output: dest,
        ..Default::default()
    };
    let built = book::build(root, &options)?;
    println!(
        "Built the book into {} in {:.2?}",
        built.output.display(),
        built.took
    );
    Ok(())
}

fn run_server(root: PathBuf, port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = serve::bind(port).await?;
        serve::serve(root, listener).await
    })
}
