use exercise_log_writer::LogWriter;

#[tokio::test]
async fn every_line_logged_before_shutdown_is_in_the_file() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("app.log");
    let writer = LogWriter::start(path.clone());
    for n in 1..=25 {
        writer.log(format!("line {n}")).await;
    }
    writer.shutdown().await.unwrap();

    // A file that was never made reads as empty.
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    let expected: String = (1..=25).map(|n| format!("line {n}\n")).collect();
    assert_eq!(written, expected);
}

#[tokio::test]
async fn a_failed_write_is_reported_by_shutdown() {
    let folder = tempfile::tempdir().unwrap();
    // A folder that does not exist: the file cannot be created.
    let writer = LogWriter::start(folder.path().join("missing/app.log"));
    let error = writer.shutdown().await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
}
