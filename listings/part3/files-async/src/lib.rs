//! Files with tokio: reading line by line, and saving so that a crash
//! never leaves half a file behind.

use std::io;
use std::path::{Path, PathBuf};

use tokio::fs::{self, File};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};

// ANCHOR: lines
/// How many lines a file has, and the longest one, read one line at a
/// time: memory holds one line, however large the file is.
pub async fn line_stats(path: &Path) -> io::Result<(u64, usize)> {
    let file = File::open(path).await?;
    let mut lines = BufReader::new(file).lines();
    let (mut count, mut longest) = (0, 0);
    while let Some(line) = lines.next_line().await? {
        count += 1;
        longest = longest.max(line.len());
    }
    Ok((count, longest))
}
// ANCHOR_END: lines

// ANCHOR: in_place
/// The naive way: truncate the file, then write the new lines into it.
/// Until the last line is written, the file holds neither the old text
/// nor the new one.
pub async fn save_in_place(
    path: &Path,
    lines: impl IntoIterator<Item = io::Result<String>>,
) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path).await?);
    for line in lines {
        out.write_all(line?.as_bytes()).await?;
        out.write_all(b"\n").await?;
    }
    out.flush().await
}
// ANCHOR_END: in_place

// ANCHOR: atomic
/// Writes the new lines to a temporary file beside `path`, makes sure
/// they are on disk, then renames it over `path`. Readers, and a crash,
/// see either the whole old file or the whole new one.
pub async fn save_atomically(
    path: &Path,
    lines: impl IntoIterator<Item = io::Result<String>>,
) -> io::Result<()> {
    let temp = temp_path(path);
    let written = write_and_sync(&temp, lines).await;
    if let Err(error) = written {
        let _ = fs::remove_file(&temp).await; // leave nothing behind
        return Err(error);
    }
    fs::rename(&temp, path).await
}

async fn write_and_sync(
    temp: &Path,
    lines: impl IntoIterator<Item = io::Result<String>>,
) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(temp).await?);
    for line in lines {
        out.write_all(line?.as_bytes()).await?;
        out.write_all(b"\n").await?;
    }
    out.flush().await?; // hand every byte to the file...
    out.get_ref().sync_all().await // ...and wait until it is on disk
}

/// `report.txt` → `.report.txt.tmp`, in the same folder: `rename` only
/// replaces a file atomically within one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.tmp"))
}
// ANCHOR_END: atomic

#[cfg(test)]
mod tests {
    use super::*;

    fn good_lines(n: usize) -> Vec<io::Result<String>> {
        (1..=n).map(|i| Ok(format!("new line {i}"))).collect()
    }

    /// Five lines, then the program fails: as far as the file can tell,
    /// the same as the process dying there.
    fn failing_lines() -> Vec<io::Result<String>> {
        let mut lines = good_lines(5);
        lines.push(Err(io::Error::other("crashed half way")));
        lines.extend(good_lines(5));
        lines
    }

    async fn folder_with_old_file() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        fs::write(&path, "old 1\nold 2\nold 3\n").await.unwrap();
        (dir, path)
    }

    #[tokio::test]
    async fn lines_are_counted_without_reading_the_file_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        let text: String = (0..10_000).map(|i| format!("{i}\n")).collect();
        fs::write(&path, text).await.unwrap();
        assert_eq!(line_stats(&path).await.unwrap(), (10_000, 4));
    }

    // ANCHOR: crash_tests
    #[tokio::test]
    async fn a_failure_half_way_leaves_a_half_file_in_place() {
        let (_dir, path) = folder_with_old_file().await;
        let error = save_in_place(&path, failing_lines()).await.unwrap_err();
        assert_eq!(error.to_string(), "crashed half way");
        // The old text is gone, and the five new lines were still in the
        // BufWriter's memory: the file is empty.
        let left = fs::read_to_string(&path).await.unwrap();
        assert_eq!(left, "");
    }

    #[tokio::test]
    async fn a_failure_half_way_leaves_the_old_file_whole() {
        let (dir, path) = folder_with_old_file().await;
        let error = save_atomically(&path, failing_lines()).await.unwrap_err();
        assert_eq!(error.to_string(), "crashed half way");
        let left = fs::read_to_string(&path).await.unwrap();
        assert_eq!(left, "old 1\nold 2\nold 3\n");
        // ...and no temporary file is left behind.
        let mut entries = fs::read_dir(dir.path()).await.unwrap();
        let mut names = Vec::new();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            names.push(entry.file_name().into_string().unwrap());
        }
        assert_eq!(names, ["report.txt"]);
    }
    // ANCHOR_END: crash_tests

    #[tokio::test]
    async fn a_successful_save_replaces_the_file_whole() {
        let (_dir, path) = folder_with_old_file().await;
        save_atomically(&path, good_lines(1000)).await.unwrap();
        let saved = fs::read_to_string(&path).await.unwrap();
        assert_eq!(saved.lines().count(), 1000);
        assert_eq!(saved.lines().last(), Some("new line 1000"));
    }

    #[tokio::test]
    async fn a_reader_never_sees_a_partly_written_file() {
        let (_dir, path) = folder_with_old_file().await;
        let reader_path = path.clone();
        let reader = tokio::spawn(async move {
            for _ in 0..200 {
                let seen = fs::read_to_string(&reader_path).await.unwrap();
                let whole = seen == "old 1\nold 2\nold 3\n"
                    || seen.lines().count() == 20_000;
                assert!(whole, "saw {} lines", seen.lines().count());
            }
        });
        for _ in 0..5 {
            save_atomically(&path, good_lines(20_000)).await.unwrap();
        }
        reader.await.unwrap();
    }
}
