// The listings: every one is shown by a chapter, stands on its own when copied out of the
// repository, and prints exactly the output the book shows under it.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use async_book::figures::ListingRef;
use async_book::listings::{self, Listing};
use async_book::{book, markdown};

use crate::early::Early;

/// Every file some chapter includes, as a canonical path.
fn included_files(root: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    for chapter in book::chapters(root).unwrap() {
        let text = fs::read_to_string(&chapter).unwrap();
        for directive in markdown::directives(&text).unwrap() {
            let Ok(file) = directive.resolve(&chapter).canonicalize() else {
                continue;
            };
            if directive.kind == "listing" {
                // A figure also shows the program's output, or the compiler's error.
                let listing = ListingRef::resolve(&chapter, &directive).unwrap();
                if listing.compile_fail {
                    files.insert(file.with_extension("stderr"));
                } else if let Some(name) = directive.attribute("output") {
                    files.insert(listing.output(name).canonicalize().unwrap());
                }
            }
            files.insert(file);
        }
    }
    files
}

#[test]
fn every_listing_is_shown_by_a_chapter_with_its_output_or_error() {
    let root = async_book::root();
    let included = included_files(&root);
    let mut problems = Vec::new();
    for listing in listings::all(&root).unwrap() {
        let dir = listing.dir.canonicalize().unwrap();
        if !included.iter().any(|file| file.starts_with(&dir)) {
            problems.push(format!("{} is shown by no chapter", listing.name));
        }
        let is_program = listing.dir.join("src/main.rs").exists();
        let outputs = listing.output_files();
        if outputs.is_empty() && is_program && listing.no_output_reason().is_none() {
            problems.push(format!(
                "{} has no output.txt (nor a no-output reason)",
                listing.name
            ));
        }
        for output in outputs {
            if !included.contains(&output.canonicalize().unwrap()) {
                problems.push(format!("{} is shown by no chapter", output.display()));
            }
        }
        let cases = listing.dir.join("compile-fail");
        if cases.is_dir() {
            for entry in fs::read_dir(&cases).unwrap() {
                let path = entry.unwrap().path().canonicalize().unwrap();
                if !included.contains(&path) {
                    problems.push(format!("{} is shown by no chapter", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_include_names_an_existing_file_and_anchor() {
    let problems = book::check_sources(&async_book::root()).unwrap();
    assert!(problems.0.is_empty(), "{problems}");
}

#[test]
fn listing_manifests_name_every_dependency_with_its_version() {
    let root = async_book::root();
    let mut problems = Vec::new();
    let all = listings::all(&root).unwrap();
    assert!(all.len() >= 5, "the listings were not found");
    for listing in &all {
        for problem in listings::manifest_problems(listing) {
            problems.push(format!("{}: {problem}", listing.name));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let names: BTreeSet<_> = all.iter().map(|l| &l.name).collect();
    assert_eq!(names.len(), all.len(), "package names must be unique");
}

/// Cargo puts every program of the workspace in one folder, `target/debug/<name>`: two listings
/// with a program of the same name (two `src/bin/bench.rs`) would take each other's place, and
/// `cargo run -p <one> --bin <name>` after a workspace build would run the other.
#[test]
fn no_two_listings_have_a_program_of_the_same_name() {
    let metadata = cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(async_book::root())
        .output()
        .unwrap();
    assert!(metadata.status.success());
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let mut owners = std::collections::BTreeMap::<String, Vec<String>>::new();
    for package in metadata["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            if target["kind"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "bin")
            {
                owners
                    .entry(target["name"].as_str().unwrap().to_string())
                    .or_default()
                    .push(package["name"].as_str().unwrap().to_string());
            }
        }
    }
    let shared: Vec<String> = owners
        .iter()
        .filter(|(_, packages)| packages.len() > 1)
        .map(|(name, packages)| format!("`{name}` is a program of {}", packages.join(" and ")))
        .collect();
    assert!(shared.is_empty(), "{}", shared.join("\n"));
}

/// `queue-redis` carries its own copy of `queue-sqlite`'s broker-independent code, and
/// `chat-cluster` of `chat-server`'s signal tests, because a listing folder must build when
/// copied out alone (no path dependencies). A fix made in one copy must be made in the other,
/// or two steps would teach and test different code.
#[test]
fn copied_steps_carry_the_same_shared_code() {
    let part3 = async_book::root().join("listings/part3");
    let read = |path: &str| fs::read_to_string(part3.join(path)).unwrap();
    let sqlite = |path: &str| read(&format!("queue-sqlite/{path}"));
    let redis = |path: &str| read(&format!("queue-redis/{path}"));
    assert!(
        sqlite("src/sqlite.rs") == redis("src/sqlite.rs"),
        "queue-sqlite/src/sqlite.rs and queue-redis/src/sqlite.rs differ"
    );
    // queue-redis's lib.rs adds its two modules, and nothing else.
    let redis_lib: String = redis("src/lib.rs")
        .lines()
        .filter(|line| !matches!(*line, "pub mod cli;" | "pub mod redis;"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        sqlite("src/lib.rs") == redis_lib,
        "queue-redis/src/lib.rs is more than queue-sqlite's plus `pub mod cli; pub mod redis;`"
    );
    // The behaviour checks themselves, between the imports and the macro that runs them.
    let checks = |text: String| -> String {
        let from = text
            .find("const LONG")
            .expect("the checks start with `const LONG`");
        let to = text
            .find("async fn sqlite()")
            .expect("the checks end before `sqlite()`");
        text[from..to].to_string()
    };
    assert!(
        checks(sqlite("tests/behaviour.rs")) == checks(redis("tests/behaviour.rs")),
        "the checks in queue-sqlite/tests/behaviour.rs and queue-redis's differ"
    );
    // The chat server's last two steps run their binary through the same tests.
    let step_4 = read("chat-server/tests/signals.rs");
    let step_5 = read("chat-cluster/tests/signals.rs");
    assert!(
        step_4.replace("CARGO_BIN_EXE_chat-server", "CARGO_BIN_EXE_chat-cluster") == step_5,
        "chat-server/tests/signals.rs and chat-cluster's differ in more than the program's name"
    );
    assert!(
        read("chat-server/src/page.html") == read("chat-cluster/src/page.html"),
        "chat-server/src/page.html and chat-cluster's differ: the page is the same in both steps"
    );
}

#[test]
fn the_manifest_check_refuses_what_would_not_build_when_copied() {
    let manifest = r#"
        [package]
        name = "x"
        version.workspace = true
        edition = "2021"
        default-run = "x"
        [dependencies]
        tokio = { workspace = true }
        helper = { path = "../helper" }
        anyhow = { features = ["std"] }
    "#;
    let listing = Listing {
        dir: PathBuf::from("listings/x/x"),
        name: "x".into(),
        manifest: manifest.parse().unwrap(),
    };
    let problems = listings::manifest_problems(&listing).join("\n");
    for expected in [
        "`edition` must be \"2024\"",
        "`publish = false` is missing",
        "`default-run` would take `cargo run`",
        "`version` must be written out",
        "tokio comes from the workspace",
        "helper is a path dependency",
        "anyhow has no version",
    ] {
        assert!(
            problems.contains(expected),
            "missing {expected:?} in:\n{problems}"
        );
    }
}

/// Copies a listing's folder to `dest`, leaving files that are already the same untouched so
/// that cargo does not rebuild what has not changed.
pub(crate) fn copy_listing(from: &Path, dest: &Path) {
    copy_listing_with(from, dest, &|_| None);
}

/// The same, but a file for which `replace` gives contents (by its path in `from`) gets those
/// instead of its own: written in one step, so that a file the copy already has is left alone.
pub(crate) fn copy_listing_with(
    from: &Path,
    dest: &Path,
    replace: &dyn Fn(&Path) -> Option<Vec<u8>>,
) {
    fs::create_dir_all(dest).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = dest.join(entry.file_name());
        if entry.path().is_dir() {
            copy_listing_with(&entry.path(), &target, replace);
        } else {
            let bytes = replace(&entry.path()).unwrap_or_else(|| fs::read(entry.path()).unwrap());
            if fs::read(&target).ok().as_ref() != Some(&bytes) {
                fs::write(&target, bytes).unwrap();
            }
        }
    }
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Cargo for a crate outside the workspace that builds in the workspace's target folder, with
/// the debug information the workspace's `[profile.dev]` asks for (in `Cargo.toml`): quicker
/// than full debug information, it changes nothing the tests see, and the dependencies the crate
/// shares with the listings are then built already.
pub(crate) fn cargo_in_workspace_target() -> Command {
    let mut command = cargo();
    command
        .args(["--config", "profile.dev.debug=\"line-tables-only\""])
        .args(["--config", "profile.dev.package.\"*\".debug=false"])
        .env("CARGO_TARGET_DIR", crate::target_dir());
    command
}

/// The test a reader would make: copy the folder out of the repository, see that it builds
/// there on its own, run the command on the first line of each output file, and compare what it
/// prints with the book.
///
/// The copy is checked (`cargo check --all-targets`: it compiles alone, with only the features
/// and dependencies its own `Cargo.toml` names) and the program that runs is the workspace's
/// build of the same files. A full build of every copy would build the dependencies again for
/// each set of features the copies ask for, which made a cold `cargo test` minutes longer and
/// proved nothing a check does not: a copy that compiles links. One listing is built in full
/// where it is unpacked, from the site's download (`cli.rs`).
#[test]
fn copied_listings_build_on_their_own_and_print_their_shown_output() {
    let problems = COPIES.get();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// What is wrong with the copies (the test above).
pub(crate) static COPIES: Early<Vec<String>> = Early::new(|| {
    let root = async_book::root();
    // Outside the repository, so that cargo does not take the copy for a workspace member;
    // named after the checkout, so that two checkouts on one machine do not share it.
    let checkout = {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        root.hash(&mut hasher);
        hasher.finish()
    };
    let copies = std::env::temp_dir().join(format!("async-book-listings-{checkout:016x}"));
    let workspace_target = crate::target_dir();
    // One target folder for all copies, so dependencies are checked once: trybuild's, with
    // its flags and `--target`, so that what the copies check the compile-fail tests do not
    // check again (workspace.rs, `TRYBUILD_RUSTFLAGS`).
    let target = crate::workspace::trybuild_target_dir();
    // The copies are checked while the workspace builds (its build is the programs they run,
    // below): on a fresh machine the two overlap, where the checks used to wait for the build.
    // They are checked `--offline`, so the crates are downloaded first, as the workspace's build
    // would download them.
    let fetch = cargo()
        .args(["fetch", "--quiet"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        fetch.status.success(),
        "cargo fetch failed:\n{}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let lock: toml::Table = fs::read_to_string(root.join("Cargo.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let mut problems = Vec::new();
    let mut runs = Vec::new();
    for listing in listings::all(&root).unwrap() {
        let copy = copies.join(&listing.name);
        copy_listing(&listing.dir, &copy);
        // The workspace's lock file, so the copy builds with the versions the book was tested with.
        fs::copy(root.join("Cargo.lock"), copy.join("Cargo.lock")).unwrap();
        // A copy whose files are as they were at its last clean check needs no new check.
        let stamp = copies.join(format!("{}.checked", listing.name));
        let fingerprint = fingerprint(&listing.dir, &locked_dependencies(&lock, &listing.name));
        if fs::read_to_string(&stamp).ok().as_deref() != Some(fingerprint.as_str()) {
            let check = cargo()
                .args(["check", "--quiet", "--all-targets", "--offline"])
                .args(["--target", crate::workspace::host_target()])
                .current_dir(&copy)
                .env("CARGO_TARGET_DIR", &target)
                .env(
                    "CARGO_ENCODED_RUSTFLAGS",
                    crate::workspace::TRYBUILD_RUSTFLAGS,
                )
                .env_remove("RUSTFLAGS")
                .env("CARGO_INCREMENTAL", "0")
                .output()
                .unwrap();
            if !check.status.success() {
                problems.push(format!(
                    "{} does not build on its own:\n{}",
                    listing.name,
                    String::from_utf8_lossy(&check.stderr)
                ));
                continue;
            }
            fs::write(&stamp, &fingerprint).unwrap();
        }
        schedule_run(&listing, &copy, &workspace_target, &mut runs);
    }
    // The programs, from the workspace's build (the one the listings' tests run from).
    crate::workspace::workspace_build();
    let started: Vec<_> = runs
        .into_iter()
        .map(|run| {
            let job = run.job.clone();
            (run, std::thread::spawn(move || job()))
        })
        .collect();
    let mut again = Vec::new();
    for (run, thread) in started {
        match thread.join().unwrap() {
            Ok(()) => {}
            // A real clock on a busy machine runs late now and then, which can move a printed
            // time or the order of two lines that are close in time: a program whose run
            // differs gets one more run, alone, once the others are done. (Said on stderr, so
            // that a program that only passes the second time is seen.)
            Err(problem) => {
                eprintln!("listing run differed, running it again alone: {problem}");
                again.push(run);
            }
        }
    }
    for run in again {
        if let Err(problem) = (run.job)() {
            problems.push(format!("{problem}\n(the second of two runs)"));
        }
    }
    problems
});

/// One program to run and compare with the output the book shows.
struct Run {
    job: std::sync::Arc<dyn Fn() -> Result<(), String> + Send + Sync>,
}

/// Prepares, for each of a listing's output files, a run of its command in the copy and the
/// comparison of what it prints with the book; the programs wait for real, so the test runs
/// them side by side.
fn schedule_run(listing: &Listing, copy: &Path, target: &Path, runs: &mut Vec<Run>) {
    // A program that needs a server (`no-output`) is run by its own tests, which start the
    // server and compare what it prints with its output file; here it is only built.
    if listing.no_output_reason().is_some() {
        return;
    }
    for file in listing.output_files() {
        let shown = listings::read_output(listing, &file).unwrap();
        let copy = copy.to_path_buf();
        let target = target.to_path_buf();
        let elapsed = shown.elapsed_times;
        let benchmark = shown.benchmark;
        let quick_args = shown.quick_args.clone();
        // The timeline is recorded from this run of the crate's main program.
        let timeline_file = listing
            .timeline_file()
            .filter(|_| file.ends_with("output.txt"));
        let name = format!(
            "{} ({})",
            listing.name,
            file.file_name().unwrap().to_string_lossy()
        );
        // The programs wait for real, so they run side by side.
        let job = std::sync::Arc::new(move || {
            let (program, args) = shown.command.split_first().unwrap();
            assert_eq!(program, "cargo");
            // A benchmark's quick run only checks the shape of its report, so it runs the
            // debug build instead of building the release one.
            let args: Vec<&String> = args
                .iter()
                .filter(|arg| !(benchmark && *arg == "--release"))
                .collect();
            let extra = if benchmark {
                quick_args.clone()
            } else {
                Vec::new()
            };
            // The workspace's build of the program runs, in the copy's folder, as `cargo run`
            // would run it there.
            let mut child = match built_program(&target, &args) {
                Some((program, program_args)) if program.exists() => Command::new(program)
                    .args(program_args)
                    .args(extra.iter().skip_while(|arg| *arg == "--"))
                    .current_dir(&copy)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap(),
                _ => {
                    return Err(format!(
                        "{name}: `cargo {}` is not a program of the workspace's build",
                        args.iter()
                            .map(|a| a.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ));
                }
            };
            // Each line is timed as it arrives, from the first one, for the timeline that
            // is recorded from this real run.
            let mut printed = String::new();
            let mut timed = Vec::new();
            let mut first_line_at = None;
            for line in BufReader::new(child.stdout.take().unwrap()).lines() {
                let line = line.unwrap();
                let at = *first_line_at.get_or_insert_with(Instant::now);
                timed.push((at.elapsed().as_secs_f64(), line.clone()));
                printed.push_str(&line);
                printed.push('\n');
            }
            let run = child.wait_with_output().unwrap();
            if !run.status.success() {
                return Err(format!(
                    "{name} failed:\n{}",
                    String::from_utf8_lossy(&run.stderr)
                ));
            }
            if let Some(timeline_file) = &timeline_file {
                let recorded = listings::timeline_of_run(&timed);
                let saved = fs::read_to_string(timeline_file).unwrap();
                if std::env::var_os("UPDATE_TIMELINE").is_some() {
                    // The picture shows the run to a tenth of a second, with the lines the
                    // book shows (whose printed durations are the run's, rounded alike).
                    let tidy: Vec<(f64, String)> = timed
                        .iter()
                        .zip(shown.printed.lines())
                        .map(|((at, _), line)| ((at * 10.0).round() / 10.0, line.to_string()))
                        .collect();
                    let recorded = listings::timeline_of_run(&tidy);
                    // Keep the saved file's comments (a `# lanes:` order, say).
                    let comments: String = saved
                        .lines()
                        .filter(|l| l.starts_with('#') && !l.starts_with("# Recorded"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                    let header = "# Recorded from a real run by the book's listing test \
                                  (UPDATE_TIMELINE=1 cargo test -p async-book).\n";
                    fs::write(timeline_file, format!("{header}{comments}{recorded}")).unwrap();
                } else {
                    listings::compare_timelines(&saved, &recorded)
                        .map_err(|difference| format!("{name}'s timeline: {difference}"))?;
                }
            }
            let compared = if benchmark {
                listings::compare_shape(&shown.printed, &printed)
            } else {
                listings::compare_output(&shown.printed, &printed, elapsed)
            };
            compared.map_err(|difference| format!("{name}: {difference}"))
        });
        runs.push(Run { job });
    }
}

/// The program that `cargo run <args>` runs (`-p NAME`, `--bin NAME`, `--release`, then the
/// program's own arguments after `--`), and those arguments. None for anything else.
fn built_program(target: &Path, args: &[&String]) -> Option<(PathBuf, Vec<String>)> {
    let mut words = args.iter().map(|a| a.as_str());
    if words.next() != Some("run") {
        return None;
    }
    let (mut package, mut bin, mut profile) = (None, None, "debug");
    let mut program_args = Vec::new();
    while let Some(word) = words.next() {
        match word {
            "-p" => package = words.next(),
            "--bin" => bin = words.next(),
            "--release" => profile = "release",
            "--" => program_args.extend(words.by_ref().map(String::from)),
            _ => return None,
        }
    }
    Some((target.join(profile).join(bin.or(package)?), program_args))
}

/// The locked packages a listing builds with: its own entry in the workspace's lock file and
/// everything that entry reaches, one line each. A change to the lock file that leaves them alone
/// (a crate another listing added) leaves the copy's last check standing.
/// A copy is checked again when a version in its own dependency tree changes, and only then:
/// a crate that another listing adds or updates leaves its last check standing.
#[test]
fn a_copy_is_checked_again_when_its_own_locked_versions_change_only() {
    let lock = |memchr: &str, itoa: &str| -> toml::Table {
        format!(
            r#"
            [[package]]
            name = "shown"
            version = "0.1.0"
            dependencies = ["tokio"]

            [[package]]
            name = "other"
            version = "0.1.0"
            dependencies = ["itoa"]

            [[package]]
            name = "tokio"
            version = "1.0.0"
            dependencies = ["memchr"]

            [[package]]
            name = "memchr"
            version = "{memchr}"

            [[package]]
            name = "itoa"
            version = "{itoa}"
            "#
        )
        .parse()
        .unwrap()
    };
    let before = locked_dependencies(&lock("2.7.0", "1.0.0"), "shown");
    assert!(before.contains("memchr 2.7.0"), "{before}");
    // Another listing's dependency moved: the same fingerprint, so no new check.
    assert_eq!(
        locked_dependencies(&lock("2.7.0", "1.0.9"), "shown"),
        before
    );
    // A crate two steps down the listing's own tree moved: a new fingerprint.
    assert_ne!(
        locked_dependencies(&lock("2.7.4", "1.0.0"), "shown"),
        before
    );
}

fn locked_dependencies(lock: &toml::Table, package: &str) -> String {
    let field = |entry: &toml::Value, key: &str| {
        entry
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut by_name = std::collections::HashMap::<String, Vec<&toml::Value>>::new();
    for entry in lock["package"].as_array().unwrap() {
        by_name.entry(field(entry, "name")).or_default().push(entry);
    }
    let mut seen = BTreeSet::new();
    let mut wanted = vec![(package.to_string(), None::<String>)];
    while let Some((name, version)) = wanted.pop() {
        for &entry in by_name.get(&name).into_iter().flatten() {
            if version
                .as_ref()
                .is_some_and(|v| field(entry, "version") != *v)
            {
                continue;
            }
            let line = format!(
                "{name} {} {} {}",
                field(entry, "version"),
                field(entry, "source"),
                field(entry, "checksum")
            );
            if !seen.insert(line) {
                continue;
            }
            // A dependency is written `name`, or `name version` where two versions are locked.
            if let Some(dependencies) = entry.get("dependencies").and_then(|d| d.as_array()) {
                for dependency in dependencies.iter().filter_map(|d| d.as_str()) {
                    let mut words = dependency.split(' ');
                    let name = words.next().unwrap().to_string();
                    wanted.push((name, words.next().map(String::from)));
                }
            }
        }
    }
    if seen.is_empty() {
        // Not a workspace member (an exercise): the whole lock file stands for its versions.
        return toml::to_string(lock).unwrap();
    }
    seen.into_iter().collect::<Vec<_>>().join("\n")
}

/// What a listing's folder holds, with the toolchain that builds it and the locked versions of
/// its dependencies: equal fingerprints mean an earlier clean check of the copy still stands.
fn fingerprint(dir: &Path, locked: &str) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::env::var("CARGO").unwrap_or_default().hash(&mut hasher);
    // A new compiler may reject what the last one took (a new lint denied, say).
    crate::workspace::rustc_version().hash(&mut hasher);
    locked.hash(&mut hasher);
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for file in files {
        file.hash(&mut hasher);
        fs::read(&file).unwrap().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// `.ci/run` runs `cargo test -- --include-ignored`, installing the servers the ignored tests
/// need; so a test may be ignored only because it needs one of those servers, and says which.
#[test]
fn every_ignored_test_needs_a_server_that_ci_installs() {
    const REASONS: [&str; 2] = [
        "needs PostgreSQL (apt install postgresql)",
        "needs redis-server (apt install redis-server)",
    ];
    fn visit(dir: &Path, problems: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    visit(&path, problems);
                }
            } else if name.ends_with(".rs") {
                let text = fs::read_to_string(&path).unwrap();
                for line in text
                    .lines()
                    .filter(|l| l.trim_start().starts_with("#[ignore"))
                {
                    let reason = line.trim().trim_start_matches("#[ignore = \"");
                    if !REASONS.iter().any(|r| reason.starts_with(r)) {
                        problems.push(format!("{}: {}", path.display(), line.trim()));
                    }
                }
            }
        }
    }
    let root = async_book::root();
    let mut problems = Vec::new();
    for dir in ["listings", "tests", "tools"] {
        visit(&root.join(dir), &mut problems);
    }
    assert!(
        problems.is_empty(),
        "ignored for another reason: {problems:#?}"
    );
}
