//! Who may import whom (the layering in src/lib.rs's module docs): `domain` imports nothing of
//! ours; `parse` only `domain`; `model` (the log store, the fold, error groups, chart specs,
//! rankings) only `domain` and `parse`; `source` `domain` and `parse`, never the app, screens or
//! ui; `ui` never the app, the CLI, a screen or a source; a screen never a concrete source nor
//! the CLI; the CLI never a screen nor the demo's internals (it reaches data through the
//! `source` seam and computes with `model`, `domain` and `ui::format`). Checked on the source
//! text, so a new import that breaks a rule fails here with the file and line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `src/<module>` that name `crate::<forbidden>…` (in `use` or in a path).
fn violations(module: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(module);
    let mut files = Vec::new();
    if root.is_dir() {
        rust_files(&root, &mut files);
    } else {
        files.push(root.with_extension("rs"));
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in forbidden {
                if code.contains(&format!("crate::{f}")) {
                    out.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    out
}

#[test]
fn domain_imports_nothing_of_ours() {
    let v = violations(
        "domain",
        &["app", "cli", "parse", "screens", "source", "ui"],
    );
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn parse_imports_only_the_domain() {
    let v = violations("parse", &["app", "cli", "screens", "source", "ui"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn sources_know_nothing_of_the_console() {
    let v = violations("source", &["app", "cli", "screens", "ui"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn ui_knows_nothing_of_the_app_or_a_screen() {
    let v = violations("ui", &["app", "cli", "screens", "source"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn screens_never_reach_for_a_concrete_source() {
    let v = violations("screens", &["source", "cli"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn the_model_imports_only_the_domain_and_the_parsers() {
    let v = violations("model", &["app", "cli", "screens", "source", "ui"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn the_cli_never_imports_a_screen() {
    // `lambdascope overview` ranks with `model::overview`, as the Overview screen does.
    let v = violations("cli", &["screens"]);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

/// Lines of `src/cli` that reach into a module of the demo source (`source::demo::render`)
/// instead of what the demo exports at its root (the source, its clock and faults).
fn demo_internals_in_cli() -> Vec<String> {
    violations("cli", &["source::demo::"])
        .into_iter()
        .filter(|line| {
            line.split("crate::source::demo::")
                .skip(1)
                .any(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
        })
        .collect()
}

#[test]
fn the_cli_never_reaches_into_the_demo() {
    let v = demo_internals_in_cli();
    assert!(v.is_empty(), "{}", v.join("\n"));
}

#[test]
fn the_checker_sees_an_import() {
    // The domain's own tests name `crate::domain`: a scan that found nothing would prove nothing.
    assert!(!violations("domain", &["domain"]).is_empty());
}
