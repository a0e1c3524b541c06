use std::io;

use files_async::{line_stats, save_atomically};

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A folder of our own, deleted again when `dir` is dropped.
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("access.log");

    // A log of a million lines, about 30 MB, written in one go.
    let text: String = (1..=1_000_000)
        .map(|i| format!("GET /page/{} 200\n", i % 1000))
        .collect();
    tokio::fs::write(&log, text).await?;

    let (lines, longest) = line_stats(&log).await?;
    println!("{lines} lines, the longest {longest} bytes");

    let report = dir.path().join("report.txt");
    let summary = [format!("lines: {lines}"), format!("longest: {longest}")];
    save_atomically(&report, summary.map(Ok::<_, io::Error>)).await?;
    print!("report.txt:\n{}", tokio::fs::read_to_string(&report).await?);
    Ok(())
}
// ANCHOR_END: main
