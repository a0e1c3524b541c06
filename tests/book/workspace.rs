// The listings' own tests. A plain `cargo test` builds the root package only (its
// `default-members`), and the test below builds the whole workspace and runs every listing's test
// binaries side by side. Cargo runs test binaries one after another, and many of the listings'
// tests wait on a real clock or on a child process, so side by side they take a fraction of the
// time. `cargo test --workspace` (or `cargo test -p <listing>`) still runs them the usual way.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::listings::cargo;

/// A test executable of a workspace member, as cargo reported it.
#[derive(Clone, Debug)]
pub(crate) struct TestBinary {
    pub package: String,
    /// `src/lib.rs`, `tests/signals.rs`, ...: what cargo names in its `Running` line.
    pub source: String,
    pub executable: PathBuf,
    pub manifest_dir: PathBuf,
    pub crate_name: String,
    pub version: String,
    /// The listing's compile-fail cases are checked by trybuild.
    pub trybuild: bool,
}

/// The flags trybuild gives rustc, as cargo reads them from `CARGO_ENCODED_RUSTFLAGS` (a unit
/// separator between flags). trybuild 1.0.122 (its `src/cargo.rs` and `src/rustflags.rs`) checks
/// a listing's dependencies with `--cfg trybuild --verbose -A dead_code`, then its compile-fail
/// files with `--diagnostic-width=140` added. Cargo keeps a build for each set of flags, so
/// every dependency was checked twice. Cargo prefers `CARGO_ENCODED_RUSTFLAGS` to the
/// `--config build.rustflags` that trybuild passes, so with this set both steps use the second
/// set: the dependencies are checked once, and the compile-fail files get the flags they get
/// under a plain `cargo test`. The copies' check (listings.rs) uses them too, in the same
/// target folder, so what it checks trybuild does not check again.
pub(crate) const TRYBUILD_RUSTFLAGS: &str =
    "--cfg\u{1f}trybuild\u{1f}--verbose\u{1f}-A\u{1f}dead_code\u{1f}--diagnostic-width=140";

/// The trybuild version whose flags `TRYBUILD_RUSTFLAGS` repeats.
const TRYBUILD_READ: &str = "1.0.122";

/// The folder trybuild builds in (its `src/cargo.rs`), inside the workspace's target folder.
pub(crate) fn trybuild_target_dir() -> PathBuf {
    crate::target_dir().join("tests").join("trybuild")
}

/// What `rustc -vV` says of the compiler: its version, commit and host.
pub(crate) fn rustc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let output = Command::new(rustc).arg("-vV").output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    })
}

/// The machine's own target, which trybuild names on its command line (`--target`), as the
/// copies' check must to share its builds.
pub(crate) fn host_target() -> &'static str {
    rustc_version()
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
}

#[test]
fn the_trybuild_flags_were_read_from_the_locked_trybuild() {
    let lock: toml::Table = std::fs::read_to_string(async_book::root().join("Cargo.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let versions: Vec<&str> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| package["name"].as_str() == Some("trybuild"))
        .map(|package| package["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        [TRYBUILD_READ],
        "read the new trybuild's src/rustflags.rs and src/cargo.rs, and make \
         TRYBUILD_RUSTFLAGS the flags it gives a compile-fail file"
    );
}

impl TestBinary {
    fn label(&self) -> String {
        format!("{} {}", self.package, self.source)
    }
}

/// What the workspace's build produced.
pub(crate) struct WorkspaceBuild {
    pub tests: Vec<TestBinary>,
    /// Library targets of the listings whose doctests `cargo test` would run.
    pub doctested_libraries: Vec<String>,
}

/// Builds every member with all its targets, once per run of this test binary (the tests that
/// need it wait for the first). Cargo's progress goes to the terminal: on a fresh machine this is
/// where most of the compiling happens. It is not `--offline`: building the root package
/// downloads only the crates the root package needs, so on a fresh machine the listings' crates
/// are downloaded here.
pub(crate) fn workspace_build() -> &'static WorkspaceBuild {
    static BUILD: OnceLock<WorkspaceBuild> = OnceLock::new();
    BUILD.get_or_init(|| {
        let root = async_book::root();
        let output = cargo()
            .args([
                "build",
                "--workspace",
                "--all-targets",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(&root)
            .stderr(std::process::Stdio::inherit())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "the workspace does not build (cargo's messages are above)"
        );
        let mut tests = Vec::new();
        let mut doctested_libraries = Vec::new();
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["reason"] != "compiler-artifact" {
                continue;
            }
            let manifest = PathBuf::from(message["manifest_path"].as_str().unwrap());
            let manifest_dir = manifest.parent().unwrap().to_path_buf();
            if !manifest_dir.starts_with(root.join("listings")) {
                continue;
            }
            let target = &message["target"];
            let package_id = message["package_id"].as_str().unwrap();
            // `path+file:///.../name#0.1.0`, or `...#name@0.1.0` when the folder is named
            // otherwise.
            let (path, fragment) = package_id.rsplit_once('#').unwrap();
            let (package, version) = fragment
                .split_once('@')
                .unwrap_or((path.rsplit('/').next().unwrap(), fragment));
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            if kinds.contains(&"lib")
                && target["doctest"] == true
                && !message["profile"]["test"].as_bool().unwrap()
            {
                doctested_libraries.push(package.to_string());
            }
            let Some(executable) = message["executable"].as_str() else {
                continue;
            };
            if !message["profile"]["test"].as_bool().unwrap() {
                continue;
            }
            let source = Path::new(target["src_path"].as_str().unwrap())
                .strip_prefix(&manifest_dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let manifest: toml::Table =
                std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
            let trybuild = manifest
                .get("dev-dependencies")
                .and_then(|deps| deps.get("trybuild"))
                .is_some();
            tests.push(TestBinary {
                trybuild,
                package: package.to_string(),
                source,
                executable: executable.into(),
                manifest_dir,
                crate_name: target["name"].as_str().unwrap().replace('-', "_"),
                version: version.to_string(),
            });
        }
        WorkspaceBuild {
            tests,
            doctested_libraries,
        }
    })
}

/// One run of a test binary: what it printed, and how long it took.
struct Ran {
    output: Output,
    took: Duration,
}

/// How much lower than the trybuild lane the other lanes run (`nice -n`). The trybuild tests run
/// one after another, about five cargo commands each, so that lane is the run's longest chain;
/// with every process given the same share of two cores, it came to an end seconds after the
/// others. Given more of the machine, it ends with them (a warm run took about a second less).
const LANES_NICENESS: u8 = 10;

/// Runs a test binary as cargo would; under `nice -n <niceness>` if given.
fn run_binary(binary: &TestBinary, forwarded: &[String], niceness: Option<u8>) -> Ran {
    let started = Instant::now();
    let mut command = match niceness {
        Some(niceness) => {
            let mut command = Command::new("nice");
            command
                .args(["-n", &niceness.to_string()])
                .arg(&binary.executable);
            command
        }
        None => Command::new(&binary.executable),
    };
    // What cargo sets for a test it runs, so that a test reading them at run time sees its own
    // package and not the book's.
    if binary.trybuild {
        command
            .env("CARGO_ENCODED_RUSTFLAGS", TRYBUILD_RUSTFLAGS)
            .env_remove("RUSTFLAGS");
    }
    let output = command
        .args(forwarded)
        .current_dir(&binary.manifest_dir)
        .env("CARGO_MANIFEST_DIR", &binary.manifest_dir)
        .env(
            "CARGO_MANIFEST_PATH",
            binary.manifest_dir.join("Cargo.toml"),
        )
        .env("CARGO_PKG_NAME", &binary.package)
        .env("CARGO_PKG_VERSION", &binary.version)
        .env("CARGO_CRATE_NAME", &binary.crate_name)
        .output()
        .unwrap();
    Ran {
        output,
        took: started.elapsed(),
    }
}

/// The counts on a libtest binary's `test result:` line.
#[derive(Default, Debug, PartialEq)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

fn counts(stdout: &str) -> Counts {
    let mut counts = Counts::default();
    for line in stdout.lines().filter(|l| l.starts_with("test result: ")) {
        for part in line.split([';', '.']) {
            let mut words = part.split_whitespace();
            let (Some(number), Some(what)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match what {
                "passed" => counts.passed += number,
                "failed" => counts.failed += number,
                "ignored" => counts.ignored += number,
                _ => {}
            }
        }
    }
    counts
}

/// Why tests were left out: libtest prints `test name ... ignored, <reason>`.
fn ignored_reasons(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| line.split_once(" ... ignored"))
        .map(|(_, reason)| reason.trim_start_matches(", ").to_string())
        .collect()
}

/// Says something on the terminal even when libtest captures this test's output: the summary
/// is what `cargo test` would have shown for each of these binaries.
fn tell(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// How long each binary took last time, so that the longest start first.
fn times_file() -> PathBuf {
    crate::target_dir().join("listing-test-times.json")
}

/// Runs every listing's test binaries side by side (see `all_listings_pass_their_own_tests`).
pub(crate) fn run_listing_tests() {
    let build = workspace_build();
    assert!(
        build.doctested_libraries.is_empty(),
        "these listings have doctests, which this test does not run (set `doctest = false` \
         under `[lib]`, as the other listings do): {:?}",
        build.doctested_libraries
    );
    // The listings' tests are those of every listing folder: each folder has some.
    let root = async_book::root();
    // The exercises are outside the workspace: they fail until a reader solves them.
    let exercises = root.join("listings").join("exercises");
    let listings: Vec<_> = async_book::listings::all(&root)
        .unwrap()
        .into_iter()
        .filter(|listing| !listing.dir.starts_with(&exercises))
        .collect();
    for listing in &listings {
        assert!(
            build.tests.iter().any(|t| t.package == listing.name),
            "no test binary of {} was built",
            listing.name
        );
    }
    // `cargo test -- --include-ignored` passes its arguments on to every test binary.
    let forwarded: Vec<String> = std::env::args()
        .filter(|arg| arg == "--include-ignored" || arg == "--ignored")
        .collect();

    let last_times: BTreeMap<String, f64> = std::fs::read_to_string(times_file())
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut queue = build.tests.clone();
    queue.sort_by(|a, b| {
        let time = |t: &TestBinary| last_times.get(&t.label()).copied().unwrap_or(1.0);
        time(b).total_cmp(&time(a))
    });
    // The trybuild tests build in one target folder, which cargo locks: they run one after
    // another, in a lane of their own that starts with the others. Taken from the shared queue
    // as places came free, they ran last in a warm run, one by one, and the run waited for them.
    let (trybuild, others): (Vec<TestBinary>, Vec<TestBinary>) =
        queue.into_iter().partition(|binary| binary.trybuild);
    let queue = Mutex::new(VecDeque::from(others));
    let results = Mutex::new(Vec::new());
    // Most of these binaries wait rather than compute: four for each core keeps the machine
    // busy (with two for each, a third of a warm run's core time went unused), and a
    // binary that fails among the others runs again alone (below).
    let width = std::thread::available_parallelism().map_or(2, |n| n.get()) * 4;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for binary in trybuild {
                let ran = run_binary(&binary, &forwarded, None);
                results.lock().unwrap().push((binary, ran));
            }
        });
        for _ in 0..width {
            scope.spawn(|| {
                loop {
                    let Some(binary) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let ran = run_binary(&binary, &forwarded, Some(LANES_NICENESS));
                    results.lock().unwrap().push((binary, ran));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();

    // A real clock on a busy machine runs late now and then: a binary that failed among the
    // others runs once more, alone. (Said on the terminal, so that it is seen.)
    for (binary, ran) in &mut results {
        if !ran.output.status.success() {
            tell(&format!(
                "listing tests: {} failed beside the others; running it again alone\n",
                binary.label()
            ));
            let again = run_binary(binary, &forwarded, None);
            if again.output.status.success() {
                tell(&format!(
                    "listing tests: {} passed alone; what it printed the first time:\n{}{}\n",
                    binary.label(),
                    String::from_utf8_lossy(&ran.output.stdout),
                    String::from_utf8_lossy(&ran.output.stderr),
                ));
            }
            *ran = again;
        }
    }

    let times: BTreeMap<String, f64> = results
        .iter()
        .map(|(binary, ran)| (binary.label(), ran.took.as_secs_f64()))
        .collect();
    let _ = std::fs::write(times_file(), serde_json::to_string(&times).unwrap());

    let mut total = Counts::default();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (binary, ran) in &results {
        let stdout = String::from_utf8_lossy(&ran.output.stdout);
        let found = counts(&stdout);
        total.passed += found.passed;
        total.failed += found.failed;
        total.ignored += found.ignored;
        for reason in ignored_reasons(&stdout) {
            *reasons.entry(reason).or_default() += 1;
        }
        if !ran.output.status.success() {
            failures.push(format!(
                "---- {} ({}) failed, twice ----\n{}{}",
                binary.label(),
                binary.executable.display(),
                stdout,
                String::from_utf8_lossy(&ran.output.stderr)
            ));
        }
    }
    let mut summary = format!(
        "listing tests: {} binaries of {} listings, {} passed, {} failed, {} ignored\n",
        results.len(),
        listings.len(),
        total.passed,
        total.failed,
        total.ignored
    );
    for (reason, count) in &reasons {
        summary.push_str(&format!("listing tests:   {count} ignored: {reason}\n"));
    }
    tell(&summary);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_counts_of_a_test_result_line_are_read() {
    let stdout = "running 3 tests\ntest a ... ok\ntest b ... ignored, needs redis-server\n\
                  test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; \
                  finished in 0.01s\n";
    assert_eq!(
        counts(stdout),
        Counts {
            passed: 2,
            failed: 0,
            ignored: 1
        }
    );
    assert_eq!(ignored_reasons(stdout), ["needs redis-server"]);
}

/// The root package's tests build it alone, and this test's workspace build then builds every
/// member: a crate the two share must be asked for with the same features in both, or it is
/// built twice (see tools/feature-pins/Cargo.toml).
#[test]
fn the_tool_and_the_workspace_build_shared_crates_with_the_same_features() {
    let root = async_book::root();
    let features = |selection: &[&str]| -> BTreeMap<String, String> {
        let output = cargo()
            .args(["tree", "--prefix", "none", "-e", "normal,build,dev"])
            .args(["--format", "{p}|{f}"])
            .args(selection)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let Some((package, features)) = line.split_once('|') else {
                continue;
            };
            let package = package.split(" (").next().unwrap().trim().to_string();
            let features = features.trim_end_matches(" (*)");
            let entry = found.entry(package).or_default();
            entry.extend(
                features
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(String::from),
            );
        }
        found
            .into_iter()
            .map(|(package, mut features)| {
                features.sort();
                features.dedup();
                (package, features.join(","))
            })
            .collect()
    };
    let (tool, workspace) = std::thread::scope(|scope| {
        let tool = scope.spawn(|| features(&["-p", "async-book"]));
        let workspace = features(&["--workspace"]);
        (tool.join().unwrap(), workspace)
    });
    let differ: Vec<String> = tool
        .iter()
        .filter(|(package, features)| workspace.get(*package) != Some(features))
        .map(|(package, features)| {
            format!(
                "{package}: the tool asks for [{features}], the workspace for [{}]",
                workspace.get(package).map_or("", |f| f.as_str())
            )
        })
        .collect();
    assert!(
        differ.is_empty(),
        "add these to tools/feature-pins/Cargo.toml:\n{}",
        differ.join("\n")
    );
}
