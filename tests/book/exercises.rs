// The exercises of "Check your understanding": each crate's tests fail as the reader gets it,
// and pass once its `solution/lib.rs` is put in place of `src/lib.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::early::Early;
use crate::listings::{cargo_in_workspace_target, copy_listing_with};

/// Every exercise crate under `listings/exercises/`, by folder name.
fn exercises(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root.join("listings/exercises"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").exists())
        .collect();
    found.sort();
    found
}

/// A workspace of copies of the exercises, as the reader gets them or solved, so that one
/// cargo command builds them all; returns each test program with the crate it tests.
fn build_copies(root: &Path, place: &Path, solved: bool) -> Vec<(PathBuf, PathBuf)> {
    fs::create_dir_all(place).unwrap();
    let mut members = Vec::new();
    for exercise in exercises(root) {
        let name = exercise.file_name().unwrap().to_string_lossy().into_owned();
        // Cargo names a workspace member's build after its path inside the workspace, so the
        // solved copies get folders of their own name: in the one target folder, their
        // builds and those of the copies as given must not take each other's place.
        let copy = place.join(folder_name(&name, solved));
        let solution = exercise.join("solution/lib.rs");
        assert!(solution.exists(), "{name} has no solution/lib.rs");
        // The solved copy's `src/lib.rs` is the solution. It is written only when it differs
        // from the copy's: writing the exercise's first and the solution after (as this did)
        // touched the file on every run, so cargo rebuilt the solved crates every time.
        let lib = exercise.join("src/lib.rs");
        copy_listing_with(&exercise, &copy, &|file| {
            (solved && file == lib).then(|| fs::read(&solution).unwrap())
        });
        members.push(format!("{:?}", folder_name(&name, solved)));
    }
    let manifest = format!(
        "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
        members.join(", ")
    );
    if fs::read_to_string(place.join("Cargo.toml")).ok() != Some(manifest.clone()) {
        fs::write(place.join("Cargo.toml"), manifest).unwrap();
    }
    let lock = fs::read(root.join("Cargo.lock")).unwrap();
    if fs::read(place.join("Cargo.lock")).ok() != Some(lock.clone()) {
        fs::write(place.join("Cargo.lock"), lock).unwrap();
    }
    // In a folder of their own, a fresh machine built tokio and the rest once more for them.
    let build = cargo_in_workspace_target()
        .args(["test", "--no-run", "--offline", "--workspace"])
        .args(["--message-format=json-render-diagnostics", "--quiet"])
        .current_dir(place)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the exercises ({}) do not build:\n{}",
        if solved { "solved" } else { "as given" },
        String::from_utf8_lossy(&build.stderr)
    );
    let mut programs = Vec::new();
    for line in String::from_utf8_lossy(&build.stdout).lines() {
        let message: serde_json::Value = serde_json::from_str(line).unwrap();
        if message["reason"] == "compiler-artifact"
            && let Some(program) = message["executable"].as_str()
        {
            let manifest = PathBuf::from(message["manifest_path"].as_str().unwrap());
            let folder = manifest.parent().unwrap().to_path_buf();
            programs.push((folder, PathBuf::from(program)));
        }
    }
    programs
}

fn folder_name(name: &str, solved: bool) -> String {
    if solved {
        format!("{name}-solved")
    } else {
        name.to_string()
    }
}

/// What is wrong with the exercises: each is built and run as given and solved.
pub(crate) static EXERCISES: Early<Vec<String>> = Early::new(|| {
    let root = async_book::root();
    let checkout = {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        root.hash(&mut hasher);
        hasher.finish()
    };
    let place = std::env::temp_dir().join(format!("async-book-exercises-{checkout:016x}"));
    let names: Vec<String> = exercises(&root)
        .iter()
        .map(|e| e.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 5, "the exercises were not found: {names:?}");

    let mut built = Vec::new();
    for solved in [false, true] {
        let place = place.join(if solved { "solved" } else { "given" });
        for (folder, program) in build_copies(&root, &place, solved) {
            let name = folder.file_name().unwrap().to_string_lossy().into_owned();
            let name = name.trim_end_matches("-solved").to_string();
            built.push((name, solved, folder, program));
        }
    }
    let mut runs = Vec::new();
    for (name, solved, folder, program) in built {
        {
            runs.push((
                name,
                solved,
                std::thread::spawn(move || {
                    Command::new(program).current_dir(folder).output().unwrap()
                }),
            ));
        }
    }
    let mut outcomes: BTreeMap<(String, bool), Vec<std::process::Output>> = BTreeMap::new();
    for (name, solved, run) in runs {
        outcomes
            .entry((name, solved))
            .or_default()
            .push(run.join().unwrap());
    }
    let mut problems = Vec::new();
    for name in &names {
        let given = outcomes
            .get(&(name.clone(), false))
            .cloned()
            .unwrap_or_default();
        let solved = outcomes
            .get(&(name.clone(), true))
            .cloned()
            .unwrap_or_default();
        if given.is_empty() || solved.is_empty() {
            problems.push(format!("{name} has no tests"));
            continue;
        }
        // As given, a test fails on an assertion (the program compiled and ran).
        let failed: Vec<_> = given.iter().filter(|o| !o.status.success()).collect();
        if failed.is_empty() {
            problems.push(format!(
                "{name}: every test passes before the exercise is done"
            ));
        }
        for output in failed {
            let printed = String::from_utf8_lossy(&output.stdout);
            if !printed.contains("FAILED") {
                problems.push(format!("{name} fails, but not in a test:\n{printed}"));
            }
        }
        for output in solved.iter().filter(|o| !o.status.success()) {
            problems.push(format!(
                "{name}'s solution fails its tests:\n{}",
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    problems
});

#[test]
fn every_exercise_fails_as_given_and_passes_with_its_solution() {
    let problems = EXERCISES.get();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
