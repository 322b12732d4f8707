//! Search per keystroke over a million buffered lines (issue 13 §5): regex ≤ 10 ms, fuzzy
//! ≤ 20 ms, exact within 1.2× of a bare `memchr::memmem` scan of the same bytes; in the same run,
//! `rg -c` and `fzf --filter` over the same lines written to a file, and the two fuzzy matchers
//! on their own.
//!
//! Run: `cargo bench --bench search`. The peers need `apt-get install ripgrep fzf`; a missing
//! peer is reported with its reason, and its figure is not measured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use fuzzy_matcher::FuzzyMatcher;
use lambdascope::domain::LogEvent;
use lambdascope::model::logs::{LogBuffer, Segment};
use lambdascope::screens::logs::search::{self, Matcher, SearchMode};

mod common;
use common::{LINES, lines};

fn file_of(events: &[LogEvent]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join("lambdascope-bench-search-1m.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("temp file"));
    for e in events {
        // One line per event, as a peer sees a log file.
        writeln!(f, "{}", e.message.replace(['\n', '\r'], " ")).expect("write");
    }
    f.flush().expect("flush");
    path
}

/// Whether `name` runs; if not, says why its figure is missing.
fn peer(name: &str) -> bool {
    match Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => true,
        Ok(s) => {
            eprintln!("PEER SKIPPED: {name} --version exited with {s}; its figure is not measured");
            false
        }
        Err(e) => {
            eprintln!(
                "PEER SKIPPED: {name} cannot run ({e}; apt-get install ripgrep fzf); its figure is not measured"
            );
            false
        }
    }
}

/// The floor for an exact search: memmem over the same segment bytes, on the same two threads
/// as the search, counting hits and doing nothing else.
fn bare_memmem(segments: &[Arc<Segment>], needle: &[u8]) -> usize {
    let finder = memchr::memmem::Finder::new(needle);
    let count = |part: &[Arc<Segment>]| -> usize {
        part.iter().map(|s| finder.find_iter(&s.text).count()).sum()
    };
    let (left, right) = segments.split_at(segments.len().div_ceil(2));
    std::thread::scope(|s| {
        let other = s.spawn(|| count(right));
        count(left) + other.join().unwrap_or(0)
    })
}

fn search_1m_lines(c: &mut Criterion) {
    let events = lines();
    let mut buffer = LogBuffer::new(LINES);
    for chunk in events.chunks(10_000) {
        buffer.append(chunk);
    }
    let snap = buffer.snapshot();
    let bytes: usize = snap.iter().map(|s| s.text.len()).sum();
    println!(
        "MEASURED: {} lines, {bytes} bytes of segment text",
        buffer.len()
    );
    let mut g = c.benchmark_group("search_1m_lines");
    g.sample_size(10).measurement_time(Duration::from_secs(6));
    for needle in ["Timeout", "sku"] {
        let hits = bare_memmem(&snap, needle.as_bytes());
        println!("MEASURED: bare memmem {needle:?}: {hits} hits");
        g.bench_function(format!("bare_memmem_{needle}"), |bch| {
            bch.iter(|| bare_memmem(&snap, needle.as_bytes()))
        });
    }
    for (mode, q) in [
        (SearchMode::Exact, "Timeout"),
        (SearchMode::Exact, "sku"),
        (SearchMode::Regex, r"Duration: \d{4,}\.\d+ ms"),
        (SearchMode::Regex, r"(?i)task timed out"),
        (SearchMode::Fuzzy, "tmout"),
        (SearchMode::Fuzzy, "ordfail"),
    ] {
        let m = Matcher::new(mode, q).expect("query");
        let generation = AtomicU64::new(1);
        let n = search::scan(&snap, &m, &generation, 1).matches.len();
        println!("MEASURED: {} {q:?} matches {n} lines", mode.label());
        g.bench_function(format!("{}_{q}", mode.label()), |bch| {
            bch.iter(|| search::scan(&snap, &m, &generation, 1))
        });
    }
    // The two fuzzy matchers on their own, every line, one core.
    let texts: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    g.bench_function("fuzzy-matcher_skim_v2_every_line", |bch| {
        let m = fuzzy_matcher::skim::SkimMatcherV2::default();
        bch.iter(|| {
            texts
                .iter()
                .filter(|t| m.fuzzy_match(t, "tmout").is_some())
                .count()
        })
    });
    g.bench_function("nucleo-matcher_every_line", |bch| {
        use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
        let mut m = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let p = Pattern::new(
            "tmout",
            CaseMatching::Smart,
            Normalization::Never,
            AtomKind::Fuzzy,
        );
        let mut buf = Vec::new();
        bch.iter(|| {
            texts
                .iter()
                .filter(|t| {
                    p.score(nucleo_matcher::Utf32Str::new(t, &mut buf), &mut m)
                        .is_some()
                })
                .count()
        })
    });
    // Peers on the same lines, same run.
    let file = file_of(&events);
    if peer("rg") {
        for q in ["Timeout", r"Duration: \d{4,}\.\d+ ms"] {
            g.bench_function(format!("peer_rg_{q}"), |bch| {
                bch.iter(|| Command::new("rg").arg("-c").arg(q).arg(&file).output())
            });
        }
    }
    if peer("fzf") {
        g.bench_function("peer_fzf_filter_tmout", |bch| {
            bch.iter(|| {
                let Ok(f) = std::fs::File::open(&file) else {
                    return None;
                };
                Command::new("fzf")
                    .args(["--filter", "tmout"])
                    .stdin(f)
                    .stdout(Stdio::null())
                    .status()
                    .ok()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, search_1m_lines);
criterion_main!(benches);
