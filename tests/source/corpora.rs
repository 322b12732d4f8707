//! The fuzz targets' corpora as ordinary tests on stable: every file of fuzz/corpus/<target>/
//! runs through the target's own body (fuzz/fuzz_targets/<target>.rs, compiled here against the
//! stand-in for libfuzzer-sys in fuzz/shim), so a target that no longer compiles, or an input
//! that once crashed it, fails the suite.

use std::path::{Path, PathBuf};

macro_rules! targets {
    ($($name:ident => $path:literal),* $(,)?) => {
        $(
            #[allow(unused_attributes)] // the target's `#![no_main]`, meant for a crate of its own
            #[path = $path]
            mod $name;

            #[test]
            fn $name() {
                run_corpus(stringify!($name), $name::run);
            }
        )*

        const TARGETS: &[&str] = &[$(stringify!($name)),*];
    };
}

targets! {
    filter_pattern => "../../fuzz/fuzz_targets/filter_pattern.rs",
    insights_query => "../../fuzz/fuzz_targets/insights_query.rs",
    lambda_log => "../../fuzz/fuzz_targets/lambda_log.rs",
    sanitize => "../../fuzz/fuzz_targets/sanitize.rs",
    trace_filter => "../../fuzz/fuzz_targets/trace_filter.rs",
    xray_segments => "../../fuzz/fuzz_targets/xray_segments.rs",
}

fn fuzz_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz"))
}

fn run_corpus(target: &str, run: fn(&[u8])) {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{target}: no inputs in {}",
        dir.display()
    );
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Printed before the run, so a panic's output names the input.
        println!("{}", file.display());
        run(&data);
    }
}

/// Every target in fuzz/fuzz_targets/ has its corpus run here.
#[test]
fn every_fuzz_target_runs_its_corpus() {
    let dir = fuzz_dir().join("fuzz_targets");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".rs")?.to_owned())
        })
        .collect();
    found.sort();
    assert_eq!(found, TARGETS, "add the new target to targets! above");
}
