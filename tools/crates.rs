//! Every listing crate on the site, as a reader copies it: each file viewable, a page that shows
//! them all, and the folder as a `.tar.gz` that builds where it is unpacked (with the lock file
//! the book was tested with).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::figures::escape;
use crate::listings;

/// Where a listing crate's page and files are on the site: `listings/<part>/<crate>/`.
pub fn site_dir(part: &str, name: &str) -> String {
    format!("listings/{part}/{name}")
}

/// Writes every listing crate under `root/listings` into the site at `output`.
pub fn export(root: &Path, output: &Path) -> anyhow::Result<()> {
    if !root.join("listings").is_dir() {
        return Ok(());
    }
    let lock = fs::read(root.join("Cargo.lock")).context("the workspace has no Cargo.lock")?;
    for listing in listings::all(root)? {
        let part = listing
            .dir
            .parent()
            .and_then(Path::file_name)
            .context("a listing is inside a part's folder")?
            .to_string_lossy()
            .into_owned();
        let folder = listing
            .dir
            .file_name()
            .context("a listing has a folder")?
            .to_string_lossy()
            .into_owned();
        let files = crate_files(&listing.dir)?;
        let dest = output.join(site_dir(&part, &folder));
        fs::create_dir_all(&dest)?;
        for file in &files {
            let target = dest.join(file);
            fs::create_dir_all(target.parent().expect("a file is in a folder"))?;
            fs::copy(listing.dir.join(file), &target)?;
        }
        fs::write(
            dest.join("index.html"),
            crate_page(&listing.dir, &folder, &files)?,
        )?;
        let archive = output.join(format!("{}.tar.gz", site_dir(&part, &folder)));
        fs::write(&archive, tar_gz(&listing.dir, &folder, &files, &lock)?)
            .with_context(|| format!("cannot write {}", archive.display()))?;
    }
    Ok(())
}

/// The files of a crate's folder, relative to it, sorted; build output and hidden files left
/// out.
fn crate_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        for entry in fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || name == "target" {
                continue;
            }
            let path = relative.join(&name);
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn tar_gz(dir: &Path, folder: &str, files: &[PathBuf], lock: &[u8]) -> anyhow::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut archive = tar::Builder::new(gz);
    let mut add = |path: String, bytes: &[u8]| -> anyhow::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        // The same files make the same archive.
        header.set_mtime(0);
        archive.append_data(&mut header, path, bytes)?;
        Ok(())
    };
    for file in files {
        let bytes = fs::read(dir.join(file))?;
        add(format!("{folder}/{}", file.display()), &bytes)?;
    }
    // The versions the book was tested with; cargo drops the entries this crate does not use.
    add(format!("{folder}/Cargo.lock"), lock)?;
    Ok(archive.into_inner()?.finish()?)
}

/// A page that shows every file of the crate, with a link to download it.
fn crate_page(dir: &Path, folder: &str, files: &[PathBuf]) -> anyhow::Result<String> {
    let mut page = String::new();
    let title = format!("{folder}: the whole listing crate");
    // A crate with a program runs it; a library (an exercise, say) runs its tests.
    let command = if dir.join("src/main.rs").exists() || dir.join("src/bin").is_dir() {
        "cargo run"
    } else {
        "cargo test"
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;\
         padding:0 1em;line-height:1.5}}pre{{background:#f6f7f6;padding:.8em;overflow-x:auto;\
         border:1px solid #ccc;border-radius:6px}}code{{font-size:.9em}}</style>\n\
         </head>\n<body>\n<main>\n<h1>{title}</h1>\n\
         <p><a href=\"../{folder}.tar.gz\" download>Download {folder}.tar.gz</a>, then:</p>\n\
         <pre><code>tar -xzf {folder}.tar.gz\ncd {folder}\n{command}</code></pre>\n\
         <p>The archive holds the files below and the <code>Cargo.lock</code> the book was \
         tested with. <a href=\"../../../index.html\">Back to the book</a>.</p>\n<ul>\n"
    );
    for file in files {
        let name = file.display().to_string();
        let _ = writeln!(
            page,
            "<li><a href=\"#{id}\">{shown}</a></li>",
            id = anchor(&name),
            shown = escape(&name)
        );
    }
    page.push_str("</ul>\n");
    for file in files {
        let name = file.display().to_string();
        let text =
            fs::read_to_string(dir.join(file)).unwrap_or_else(|_| "(not a text file)".to_string());
        let _ = write!(
            page,
            "<h2 id=\"{id}\"><a href=\"{link}\">{shown}</a></h2>\n<pre tabindex=\"0\"><code>{body}</code></pre>\n",
            id = anchor(&name),
            link = escape(&name),
            shown = escape(&name),
            body = escape(&text)
        );
    }
    page.push_str("</main>\n</body>\n</html>\n");
    Ok(page)
}

fn anchor(name: &str) -> String {
    name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
}
