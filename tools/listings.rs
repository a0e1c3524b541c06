//! The listing crates under `listings/<part>/<listing>/`, what their manifests must say so
//! that a copied folder builds on its own, and how their shown output is compared with a run.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// One listing crate.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Its folder.
    pub dir: PathBuf,
    /// The package name, which is also what `cargo run -p` takes.
    pub name: String,
    /// The parsed Cargo.toml.
    pub manifest: toml::Table,
}

impl Listing {
    /// A setting of `[package.metadata.async-book]`, or of its `[…async-book.<output>]` table
    /// for the output file `output-<output>.txt`.
    fn setting(&self, output: Option<&str>, key: &str) -> Option<&toml::Value> {
        let table = self
            .manifest
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("async-book"))?;
        match output {
            None => table.get(key),
            Some(name) => table.get(name)?.get(key),
        }
    }

    /// Why a program shows no output (a server that runs until stopped, say): its own tests
    /// run it instead (`no-output = "the reason"`).
    pub fn no_output_reason(&self) -> Option<&str> {
        self.setting(None, "no-output").and_then(|v| v.as_str())
    }

    /// The listing's `timeline.txt`, if it has one. The book draws it, and the output test
    /// records it anew from the real run of the program that prints `output.txt`.
    pub fn timeline_file(&self) -> Option<PathBuf> {
        let file = self.dir.join("timeline.txt");
        file.exists().then_some(file)
    }

    /// The shown outputs: `output.txt`, and `output-<name>.txt` for each further program of
    /// the crate (a benchmark beside a demo, say), sorted.
    pub fn output_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| output_name(path).is_some())
            .collect();
        files.sort();
        files
    }
}

/// `Some(None)` for `output.txt`, `Some(Some("bench"))` for `output-bench.txt`, None for any
/// other file.
pub fn output_name(path: &Path) -> Option<Option<String>> {
    let file = path.file_name()?.to_str()?;
    if file == "output.txt" {
        return Some(None);
    }
    let name = file.strip_prefix("output-")?.strip_suffix(".txt")?;
    (!name.is_empty()).then(|| Some(name.to_string()))
}

/// Every listing crate, sorted by folder.
pub fn all(root: &Path) -> anyhow::Result<Vec<Listing>> {
    let mut found = Vec::new();
    for part in sorted_dirs(&root.join("listings"))? {
        for dir in sorted_dirs(&part)? {
            let manifest_path = dir.join("Cargo.toml");
            let text = fs::read_to_string(&manifest_path)
                .with_context(|| format!("{} has no Cargo.toml", dir.display()))?;
            let manifest: toml::Table = text
                .parse()
                .with_context(|| format!("cannot parse {}", manifest_path.display()))?;
            let name = manifest
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
                .with_context(|| format!("{} names no package", manifest_path.display()))?
                .to_string();
            found.push(Listing {
                dir,
                name,
                manifest,
            });
        }
    }
    Ok(found)
}

fn sorted_dirs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// What a listing's manifest must say so that its folder, copied anywhere, builds on its own
/// and looks like every other listing. Returns one line per problem.
pub fn manifest_problems(listing: &Listing) -> Vec<String> {
    let mut problems = Vec::new();
    let package = listing.manifest.get("package").and_then(|p| p.as_table());
    let field = |key: &str| package.and_then(|p| p.get(key));
    if field("edition").and_then(|e| e.as_str()) != Some("2024") {
        problems.push("`edition` must be \"2024\"".to_string());
    }
    if field("publish").and_then(|p| p.as_bool()) != Some(false) {
        problems.push("`publish = false` is missing".to_string());
    }
    if field("default-run").is_some() {
        // cargo honours one `default-run` in a workspace: a second one takes plain
        // `cargo run` away from the book tool.
        problems.push("`default-run` would take `cargo run` from the book tool".to_string());
    }
    for key in ["edition", "version", "publish"] {
        if field(key).and_then(|v| v.as_table()).is_some() {
            problems.push(format!(
                "`{key}` must be written out, not taken from the workspace"
            ));
        }
    }
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = listing.manifest.get(section).and_then(|d| d.as_table()) else {
            continue;
        };
        for (name, spec) in deps {
            let problem = match spec {
                toml::Value::String(_) => None,
                toml::Value::Table(table) if table.contains_key("workspace") => {
                    Some("comes from the workspace")
                }
                toml::Value::Table(table) if table.contains_key("path") => {
                    Some("is a path dependency")
                }
                toml::Value::Table(table) if table.contains_key("git") => {
                    Some("is a git dependency")
                }
                toml::Value::Table(table) if !table.contains_key("version") => {
                    Some("has no version")
                }
                toml::Value::Table(_) => None,
                _ => Some("is not a version or a table"),
            };
            if let Some(problem) = problem {
                problems.push(format!(
                    "[{section}] {name} {problem}: a copied folder could not build"
                ));
            }
        }
    }
    problems
}

/// A shown output: the command on its first line, what it prints after it, and how the test
/// compares a run with it.
#[derive(Debug, Clone)]
pub struct ShownOutput {
    pub file: PathBuf,
    /// The words of the command, without the `$ `.
    pub command: Vec<String>,
    pub printed: String,
    /// The program prints real elapsed times, compared with a tolerance
    /// (`elapsed-times = true`).
    pub elapsed_times: bool,
    /// A benchmark prints figures that change from run to run. Its file is a real run (made
    /// with the command on its first line), and the test checks a quick run of the same
    /// program against it with every number masked: the same rows, labels and units
    /// (`benchmark = true`, with the quick run's extra arguments in `quick-args = [...]`).
    pub benchmark: bool,
    pub quick_args: Vec<String>,
}

/// Reads a shown output, whose first line must be the command that runs this listing:
/// `$ cargo run -p <package>`, perhaps with `--release`, `--bin <name>` and `-- <arguments>`.
/// Settings for `output.txt` are in `[package.metadata.async-book]`; for `output-<name>.txt`,
/// in `[package.metadata.async-book.<name>]`.
pub fn read_output(listing: &Listing, file: &Path) -> anyhow::Result<ShownOutput> {
    let text = fs::read_to_string(file)?;
    let (first, printed) = text.split_once('\n').unwrap_or((&text, ""));
    let Some(command) = first.strip_prefix("$ ") else {
        bail!(
            "{}: the first line must be the command, as `$ cargo run -p {}`",
            file.display(),
            listing.name
        );
    };
    let command: Vec<String> = command.split_whitespace().map(String::from).collect();
    let words: Vec<&str> = command
        .iter()
        .map(String::as_str)
        .filter(|word| *word != "--release")
        .collect();
    let runs_this_listing =
        words.len() >= 4 && words[..3] == ["cargo", "run", "-p"] && words[3] == listing.name;
    if !runs_this_listing {
        bail!(
            "{}: the command must run this listing (`$ cargo run -p {}`), not `{}`",
            file.display(),
            listing.name,
            first
        );
    }
    let name = output_name(file).flatten();
    let flag = |key| {
        listing
            .setting(name.as_deref(), key)
            .and_then(|v| v.as_bool())
            == Some(true)
    };
    let quick_args = listing
        .setting(name.as_deref(), "quick-args")
        .and_then(|v| v.as_array())
        .map(|args| {
            args.iter()
                .filter_map(|a| a.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    Ok(ShownOutput {
        file: file.to_path_buf(),
        command,
        printed: printed.to_string(),
        elapsed_times: flag("elapsed-times"),
        benchmark: flag("benchmark"),
        quick_args,
    })
}

/// Compares what a listing printed with what the book shows. With `elapsed_times`, numbers
/// followed by a time unit (`5.0s`, `12ms`) may differ from the shown ones by the slack a real
/// clock needs: not less than the shown time (less rounding), at most a quarter more plus 0.2 s.
/// Everything else must match to the letter. Returns a description of the first difference.
pub fn compare_output(shown: &str, printed: &str, elapsed_times: bool) -> Result<(), String> {
    let shown_lines: Vec<&str> = shown.lines().collect();
    let printed_lines: Vec<&str> = printed.lines().collect();
    for (index, (want, got)) in shown_lines.iter().zip(&printed_lines).enumerate() {
        let same = if elapsed_times {
            same_but_for_times(want, got)
        } else {
            want == got
        };
        if !same {
            return Err(format!(
                "line {} differs:\n  shown:   {want}\n  printed: {got}",
                index + 1
            ));
        }
    }
    if shown_lines.len() != printed_lines.len() {
        return Err(format!(
            "the book shows {} lines, the program printed {}:\n--- shown\n{shown}--- printed\n{printed}",
            shown_lines.len(),
            printed_lines.len()
        ));
    }
    Ok(())
}

/// Compares a benchmark's quick run with its saved output: every number is masked, so what
/// must match is the shape of the report (its rows, labels and units). A benchmark that cannot
/// run its last part on this machine (a Python package is missing, say) ends its report with
/// `<label> skipped: <why>`: that line stands for the saved report from its first line that
/// starts with `<label>` to the end.
pub fn compare_shape(shown: &str, printed: &str) -> Result<(), String> {
    let skipped = printed
        .lines()
        .last()
        .and_then(|last| last.split_once(" skipped: "))
        .and_then(|(label, _)| label.split_whitespace().next());
    let (shown, printed) = match skipped {
        Some(label) => {
            let kept = |text: &str, stop: &dyn Fn(&str) -> bool| -> String {
                text.lines()
                    .take_while(|line| !stop(line))
                    .map(|line| format!("{line}\n"))
                    .collect()
            };
            // `redis, 2 worker(s): ...` is a row of the `redis` part: the label is the first
            // word, punctuation after it aside.
            let first_word = |line: &str| {
                line.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .next()
                    == Some(label)
            };
            (
                kept(shown, &first_word),
                kept(printed, &|line| line.contains(" skipped: ")),
            )
        }
        None => (shown.to_string(), printed.to_string()),
    };
    let (shown, printed) = (shown.as_str(), printed.as_str());
    let mask = |text: &str| -> String {
        let mut out = String::new();
        let mut in_number = false;
        for c in text.chars() {
            let digit = c.is_ascii_digit() || (in_number && (c == '.' || c == ','));
            if digit && !in_number {
                out.push('#');
            } else if !digit {
                out.push(c);
            }
            in_number = digit;
        }
        // Columns are padded to the widest figure, which changes with the figures.
        out.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
            .collect()
    };
    compare_output(&mask(shown), &mask(printed), false)
}

/// Compares a timeline recorded from a real run with the saved one: the same events, each at
/// the saved time give or take a real clock's slack (as for elapsed times). Events that happen
/// at nearly the same moment may come in either order, since the picture cannot tell.
pub fn compare_timelines(saved: &str, recorded: &str) -> Result<(), String> {
    let saved = crate::timeline::parse(saved)?;
    let mut recorded = crate::timeline::parse(recorded)?;
    if saved.len() != recorded.len() {
        return Err(format!(
            "{} events saved, {} recorded",
            saved.len(),
            recorded.len()
        ));
    }
    for want in &saved {
        let close = |got: &crate::timeline::Event| {
            want.lane == got.lane
                && same_but_for_times(&want.text, &got.text)
                && got.seconds >= want.seconds - 0.05
                && got.seconds <= want.seconds * 1.25 + 0.2
        };
        match recorded.iter().position(close) {
            Some(at) => {
                recorded.remove(at);
            }
            None => {
                return Err(format!(
                    "saved `{:.3} {}: {}`, and the run printed nothing like it in time",
                    want.seconds, want.lane, want.text
                ));
            }
        }
    }
    Ok(())
}

/// A timeline from the lines a program printed, each with the time it arrived (seconds since
/// the first line). A line that starts with a time the program printed itself (`0.3s …`) is
/// placed at that time, which is closer to the event than its arrival. The printed times in
/// the text may differ from the saved ones as elapsed times do.
pub fn timeline_of_run(lines: &[(f64, String)]) -> String {
    let mut out = String::new();
    for (arrived, line) in lines {
        let (seconds, text) = line
            .split_once(' ')
            .and_then(|(first, rest)| {
                let number = first.strip_suffix('s')?;
                Some((number.parse::<f64>().ok()?, rest))
            })
            .unwrap_or((*arrived, line.as_str()));
        out.push_str(&format!("{seconds:.3} {text}\n"));
    }
    out
}

fn same_but_for_times(shown: &str, printed: &str) -> bool {
    let (shown_text, shown_times) = split_times(shown);
    let (printed_text, printed_times) = split_times(printed);
    shown_text == printed_text
        && shown_times.len() == printed_times.len()
        && shown_times
            .iter()
            .zip(&printed_times)
            .all(|(&(want, digits), &(got, _))| {
                // The shown figure is rounded to its last digit: allow half a unit of it.
                let rounding = 0.5 * 10f64.powi(-(digits as i32));
                got >= want - rounding && got <= want * 1.25 + 0.2 + rounding
            })
}

/// Splits a line into its text with every duration replaced by `{time}`, and the durations
/// in seconds with the number of decimals each was printed with.
fn split_times(line: &str) -> (String, Vec<(f64, usize)>) {
    const UNITS: [(&str, f64); 4] = [("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9), ("s", 1.0)];
    let mut text = String::new();
    let mut times = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let number_len = rest[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len() - start);
        let number = &rest[start..start + number_len];
        let after = &rest[start + number_len..];
        let unit = UNITS.iter().find(|(unit, _)| {
            after.starts_with(unit)
                && !after[unit.len()..].starts_with(|c: char| c.is_alphanumeric())
        });
        let preceded_by_word = rest[..start].ends_with(|c: char| c.is_alphabetic());
        match (unit, number.parse::<f64>()) {
            (Some((unit, scale)), Ok(value)) if !preceded_by_word => {
                text.push_str(&rest[..start]);
                text.push_str("{time}");
                let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
                let digits = decimals + (-scale.log10()).round() as usize;
                times.push((value * scale, digits));
                rest = &after[unit.len()..];
            }
            _ => {
                text.push_str(&rest[..start + number_len]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    (text, times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_output_must_match_to_the_letter() {
        assert!(compare_output("a\nb\n", "a\nb\n", false).is_ok());
        assert!(
            compare_output("a\nb\n", "a\nc\n", false)
                .unwrap_err()
                .contains("line 2")
        );
        assert!(
            compare_output("a\n", "a\nb\n", false)
                .unwrap_err()
                .contains("1 lines")
        );
        assert!(compare_output("took 5.0s\n", "took 5.1s\n", false).is_err());
    }

    #[test]
    fn elapsed_times_get_a_real_clocks_slack_and_no_more() {
        let shown = "Breakfast served after 5.0s\n";
        assert!(compare_output(shown, "Breakfast served after 5.0s\n", true).is_ok());
        assert!(compare_output(shown, "Breakfast served after 5.3s\n", true).is_ok());
        // Three seconds where the book says five is a different program, not a slow clock.
        assert!(compare_output(shown, "Breakfast served after 3.0s\n", true).is_err());
        assert!(compare_output(shown, "Breakfast served after 7.0s\n", true).is_err());
        assert!(compare_output(shown, "Lunch served after 5.0s\n", true).is_err());
        assert!(compare_output("took 20ms\n", "took 21.5ms\n", true).is_ok());
        assert!(compare_output("took 20ms\n", "took 2.1s\n", true).is_err());
    }

    fn listing(manifest: &str) -> Listing {
        Listing {
            dir: PathBuf::from("listings/part1/agent-inbox"),
            name: "agent-inbox".into(),
            manifest: manifest.parse().unwrap(),
        }
    }

    #[test]
    fn each_output_file_has_its_own_settings_and_command() {
        let dir = std::env::temp_dir().join(format!("outputs-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let demo = dir.join("output.txt");
        let bench = dir.join("output-bench.txt");
        fs::write(&demo, "$ cargo run -p agent-inbox --bin demo\nfirst run\n").unwrap();
        fs::write(
            &bench,
            "$ cargo run --release -p agent-inbox --bin agent-bench\n1 msg/s\n",
        )
        .unwrap();
        let other = dir.join("notes.txt");
        fs::write(&other, "").unwrap();
        let mut crate_ = listing(
            "[package.metadata.async-book]\nelapsed-times = true\n\
             [package.metadata.async-book.bench]\nbenchmark = true\nquick-args = [\"--\", \"-n\", \"9\"]\n",
        );
        crate_.dir = dir.clone();
        assert_eq!(crate_.output_files(), [bench.clone(), demo.clone()]);
        let shown_demo = read_output(&crate_, &demo).unwrap();
        assert!(shown_demo.elapsed_times && !shown_demo.benchmark);
        let shown_bench = read_output(&crate_, &bench).unwrap();
        assert!(shown_bench.benchmark && !shown_bench.elapsed_times);
        assert_eq!(shown_bench.quick_args, ["--", "-n", "9"]);
        fs::write(&demo, "$ cargo run -p db-bench\n").unwrap();
        assert!(
            read_output(&crate_, &demo)
                .unwrap_err()
                .to_string()
                .contains("must run this listing")
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_benchmark_is_compared_by_the_shape_of_its_report() {
        let saved = "pattern      rows/s\nbatched   1,234,567\nper row      12,345\n";
        assert!(compare_shape(saved, "pattern rows/s\nbatched 99.5\nper row 7\n").is_ok());
        assert!(compare_shape(saved, "pattern rows/s\nper row 7\nbatched 99.5\n").is_err());
        assert!(compare_shape(saved, "pattern rows/s\nbatched 99.5\n").is_err());
        // A part that cannot run here says so in its last line, in place of its rows.
        let saved = "server req/s\naxum 90,000\naiohttp 9,000\n\naiohttp vs axum: 10x\n";
        let without = "server req/s\naxum 80,000\naiohttp skipped: no aiohttp here\n";
        assert!(compare_shape(saved, without).is_ok());
        assert!(compare_shape(saved, "server req/s\naiohttp skipped: no aiohttp\n").is_err());
        assert!(compare_shape(saved, "server req/s\naxum 80,000\n").is_err());
        // The part's rows may have punctuation after the label (queue-redis's benchmark).
        let saved = "sqlite, 1 worker(s): 548 tasks/s\nredis, 1 worker(s): 2059 tasks/s\n";
        let without = "sqlite, 1 worker(s): 500 tasks/s\nredis skipped: not installed\n";
        assert!(compare_shape(saved, without).is_ok());
        let short = "sqlite, 1 worker(s): 500 tasks/s\nredis, 1 worker(s): 9 tasks/s\n";
        assert!(compare_shape(&format!("{saved}redis, 2 worker(s): 1 tasks/s\n"), short).is_err());
        assert!(compare_shape(saved, "redis skipped: not installed\n").is_err());
    }

    #[test]
    fn a_timeline_is_read_from_the_printed_lines() {
        let lines = [
            (0.0, "Coffee: brewing...".to_string()),
            (2.004, "Coffee: ready".to_string()),
            (2.1, "0.3s consumer: A #1".to_string()),
        ];
        assert_eq!(
            timeline_of_run(&lines),
            "0.000 Coffee: brewing...\n2.004 Coffee: ready\n0.300 consumer: A #1\n"
        );
    }

    #[test]
    fn events_at_the_same_moment_may_come_in_either_order() {
        let saved = "0.000 Coffee: brewing...\n0.000 Pastry: baking...\n";
        let swapped = "0.000 Pastry: baking...\n0.001 Coffee: brewing...\n";
        assert!(compare_timelines(saved, swapped).is_ok());
    }

    #[test]
    fn a_real_timeline_may_run_late_but_not_differ() {
        let saved = "0.000 Coffee: brewing...\n2.000 Coffee: ready\n";
        assert!(
            compare_timelines(saved, "0.000 Coffee: brewing...\n2.031 Coffee: ready\n").is_ok()
        );
        assert!(
            compare_timelines(saved, "0.000 Coffee: brewing...\n0.010 Coffee: ready\n").is_err()
        );
        assert!(
            compare_timelines(saved, "0.000 Coffee: brewing...\n2.000 Pastry: ready\n").is_err()
        );
        assert!(compare_timelines(saved, "0.000 Coffee: brewing...\n").is_err());
    }

    #[test]
    fn only_durations_are_read_as_times() {
        let (text, times) = split_times("task 3 slept 1.50s, step2 12ms, 4 items");
        assert_eq!(text, "task 3 slept {time}, step2 {time}, 4 items");
        assert_eq!(times, [(1.5, 2), (0.012, 3)]);
    }
}
