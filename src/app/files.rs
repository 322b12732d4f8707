//! Files the console writes for the user (saved logs): in the user's own directories, readable
//! by the user alone, and never over anything already there.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Names tried (`name`, `name-2`, … `name-N`) before giving up.
const MAX_NAMES: u32 = 1000;

/// Where saved files go: the download directory, else `<state dir>/lambdascope` (created
/// private), else the current directory.
pub fn save_dir() -> PathBuf {
    if let Some(d) = dirs::download_dir().filter(|d| d.is_dir()) {
        return d;
    }
    if let Some(d) = dirs::state_dir().map(|d| d.join("lambdascope"))
        && private_dir(&d).is_ok()
    {
        return d;
    }
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Creates `dir` (and its parents) with mode 0700 where it does not exist.
fn private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Writes `text` to a new file in `dir` named `name`, or `stem-2.ext`, `stem-3.ext`… when
/// that exists, with mode 0600. The file is created, never opened: an existing file, or a
/// symlink planted at the name, is left as it is.
pub fn write_private(dir: &Path, name: &str, text: &[u8]) -> io::Result<PathBuf> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 1..=MAX_NAMES {
        let path = match n {
            1 => dir.join(name),
            n => dir.join(format!("{stem}-{n}{ext}")),
        };
        let mut file = match create_new_private(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        if let Err(e) = file.write_all(text).and_then(|()| file.flush()) {
            // Half a file would pass for the whole.
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        return Ok(path);
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{MAX_NAMES} files named {name} already exist"),
    ))
}

fn create_new_private(path: &Path) -> io::Result<std::fs::File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory of this test's own.
    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("lambdascope-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let d = scratch("mode");
        let p = write_private(&d, "a.log", b"secret").expect("write");
        let mode = std::fs::metadata(&p).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        assert_eq!(std::fs::read(&p).expect("read"), b"secret");
    }

    #[test]
    fn a_second_save_gets_a_new_name() {
        let d = scratch("twice");
        let first = write_private(&d, "a.log", b"one").expect("first");
        let second = write_private(&d, "a.log", b"two").expect("second");
        let third = write_private(&d, "a.log", b"three").expect("third");
        assert_eq!(first, d.join("a.log"));
        assert_eq!(second, d.join("a-2.log"));
        assert_eq!(third, d.join("a-3.log"));
        assert_eq!(std::fs::read(&first).expect("read"), b"one");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let d = scratch("symlink");
        let target = d.join("victim");
        std::fs::write(&target, b"precious").expect("victim");
        std::os::unix::fs::symlink(&target, d.join("a.log")).expect("plant");
        // A dangling one too: following it would create the file it names.
        std::os::unix::fs::symlink(d.join("created"), d.join("a-2.log")).expect("plant");
        let p = write_private(&d, "a.log", b"log text").expect("write");
        assert_eq!(p, d.join("a-3.log"));
        assert_eq!(std::fs::read(&target).expect("read"), b"precious");
        assert!(!d.join("created").exists());
    }
}
