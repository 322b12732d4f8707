//! The Logs screen's budgets (issue #7): memory for 1M buffered lines (≤ 2× their raw bytes),
//! drawing one frame with 1M lines buffered (≤ 2 ms), and parsing + folding platform lines
//! (≥ 1M lines/s on one core). Search over those lines, with its peers, is benches/search.rs.
//!
//! Also: a log storm with error groups shown (the loop's cost per delivery and per key), and
//! resident memory while 8 GB of 8 KB lines arrive against the shared byte budget.
//!
//! Run: `cargo bench --bench logs`. Memory is printed as `MEASURED:` lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use lambdascope::app::{self, Action, Msg, State};
use lambdascope::domain::LogEvent;
use lambdascope::model::logs::LogBuffer;
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};
use lambdascope::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::{LINES, T0, lines};

fn buffer(events: &[LogEvent]) -> LogBuffer {
    let mut b = LogBuffer::new(LINES);
    for chunk in events.chunks(10_000) {
        b.append(chunk);
    }
    b
}

/// Memory for 1M buffered lines against their raw bytes (a printed figure, not a timing).
fn buffered_memory(_c: &mut Criterion) {
    let events = lines();
    let b = buffer(&events);
    let raw: usize = events.iter().map(|e| e.message.len()).sum();
    println!(
        "MEASURED: buffer of {} lines: {} raw bytes, {} heap bytes ({:.2}x)",
        b.len(),
        raw,
        b.heap_bytes(),
        b.heap_bytes() as f64 / raw as f64
    );
    let invs = b.invs().count();
    println!("MEASURED: {invs} invocations; heap by part:");
    for (part, bytes) in b.heap_parts() {
        println!(
            "MEASURED:   {part:<14} {bytes:>11} ({:.2}x)",
            bytes as f64 / raw as f64
        );
    }
}

fn parse_and_fold(c: &mut Criterion) {
    // Platform lines only (START, END, REPORT with XRAY), the text format.
    let events: Vec<LogEvent> = lines()
        .into_iter()
        .filter(|e| {
            e.message.starts_with("START ")
                || e.message.starts_with("END ")
                || e.message.starts_with("REPORT ")
        })
        .take(200_000)
        .collect();
    let mut g = c.benchmark_group("parse_and_fold");
    g.throughput(criterion::Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    g.bench_function("platform_lines_into_invocations", |bch| {
        bch.iter(|| {
            let mut b = LogBuffer::new(events.len());
            b.append(&events);
            b.len()
        })
    });
    g.finish();
}

/// The console at 200×50 on a Logs screen whose buffer holds `events`, as a long tail would
/// have filled it; and a way to deliver more to it.
fn logs_screen(events: &[LogEvent]) -> (State, impl Fn(&mut State, Vec<LogEvent>)) {
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    let src = Source::Demo(DemoSource::new(42, Clock::Fixed(T0)));
    let mut state = State::new(src.info(), T0, "dark", vec![]);
    state.ctx.size = (200, 50);
    state.ctx.log_memory = lambdascope::domain::LogMemory::new(8 << 30);
    let cmds = app::start(&mut state);
    rt.block_on(app::driver::settle(&src, &mut state, cmds));
    app::update(&mut state, Msg::Action(Action::Palette));
    for ch in "logs orders-api-create".chars() {
        app::update(&mut state, Msg::Action(Action::Input(ch)));
    }
    let cmds = app::update(&mut state, Msg::Action(Action::InputSubmit));
    rt.block_on(app::driver::settle(&src, &mut state, cmds));
    let id = state.stack.last().map(|(id, _)| *id).expect("logs screen");
    let deliver = move |state: &mut State, evs: Vec<LogEvent>| {
        let msg = Msg::to(
            id,
            lambdascope::screens::logs::LogsMsg::Tail(lambdascope::app::jobs::Delivery::Item(
                lambdascope::domain::TailUpdate::Events(evs),
            )),
        );
        app::update(state, msg);
    };
    for chunk in events.chunks(50_000) {
        deliver(&mut state, chunk.to_vec());
    }
    (state, deliver)
}

fn draw(c: &mut Criterion) {
    let (state, _) = logs_screen(&lines());
    let theme = Theme::default_theme();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("backend");
    c.bench_function("draw_logs_200x50_with_1m_lines", |bch| {
        bch.iter(|| {
            terminal
                .draw(|f| app::view::draw(f, &state, &theme))
                .expect("draw");
        })
    });
}

/// A log storm on a screen holding a million lines with its error groups shown: what one
/// delivery of 100 events costs the loop (10,000 events/s is 100 every 10 ms), what the worst
/// message costs (a rebuild of the error groups, at most once a second), and a key press. A key
/// waits at most the drain budget (25 ms) plus the message under way plus a frame.
fn storm(c: &mut Criterion) {
    let events = lines();
    let (mut state, deliver) = logs_screen(&events);
    app::update(
        &mut state,
        Msg::Action(lambdascope::screens::logs::LogsAction::ErrorGroups.into()),
    );
    let mut n = 0i64;
    let mut fresh = |k: usize| -> Vec<LogEvent> {
        (0..k)
            .map(|i| {
                n += 1;
                let e = &events[(n as usize * 7 + i) % events.len()];
                LogEvent::new(
                    e.log_group.clone(),
                    e.log_stream.clone(),
                    T0 + n,
                    T0 + n,
                    format!("{} #{n}", e.message),
                )
            })
            .collect()
    };
    let mut g = c.benchmark_group("storm_1m_lines_error_groups_shown");
    g.sample_size(20);
    g.bench_function("delivery_of_100_events", |bch| {
        bch.iter_batched(
            || fresh(100),
            |evs| deliver(&mut state, evs),
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("delivery_that_rebuilds_error_groups", |bch| {
        bch.iter_batched(
            || fresh(100),
            |evs| {
                // A second later: the groups are due again.
                state.ctx.now += 1_001;
                deliver(&mut state, evs)
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("key_press", |bch| {
        bch.iter(|| app::update(&mut state, Msg::Action(Action::Down)))
    });
    g.finish();
}

/// Resident memory of this process, from /proc (kB → bytes): (now, peak).
fn resident() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A million 8 KB lines (8 GB) arriving in deliveries of 1,000, into two Logs buffers that
/// share the default 512 MB budget: resident memory stays under the budget plus the overhead
/// the budget does not count (the fold's records, the duplicate index, the allocator).
fn memory_under_a_firehose(c: &mut Criterion) {
    let memory = lambdascope::domain::LogMemory::new(lambdascope::domain::DEFAULT_LOG_MEMORY);
    let mut a = LogBuffer::default().with_memory(memory.clone());
    let mut b = LogBuffer::default().with_memory(memory.clone());
    let (before, _) = resident();
    let pad = "x".repeat(8 * 1024 - 80);
    let started = std::time::Instant::now();
    for round in 0..1_000i64 {
        let batch: Vec<LogEvent> = (0..1_000i64)
            .map(|i| {
                let t = T0 + round * 1_000 + i;
                LogEvent::new(
                    "/aws/lambda/firehose".into(),
                    format!("s{}", i % 8),
                    t,
                    t,
                    format!("{t} INFO {pad}"),
                )
            })
            .collect();
        if round % 2 == 0 {
            a.append(&batch);
        } else {
            b.append(&batch);
        }
    }
    let took = started.elapsed();
    let (now, peak) = resident();
    println!(
        "MEASURED: 1M lines of 8 KB ({:.1} GB) into two buffers sharing a {} MB budget in {:.1} s \
         ({:.0} lines/s): budget holds {} MB, {} lines evicted and counted; resident {} MB, \
         peak {} MB (process before: {} MB)",
        1_000_000.0 * 8192.0 / 1e9,
        memory.limit() >> 20,
        took.as_secs_f64(),
        1e6 / took.as_secs_f64(),
        memory.used() >> 20,
        memory.evicted_lines(),
        now >> 20,
        peak >> 20,
        before >> 20,
    );
    assert!(memory.evicted_lines() > 0);
    drop((a, b));
    // Criterion wants a measurement; the figure above is the one that matters.
    c.bench_function("memory_under_a_firehose_noop", |bch| {
        bch.iter(|| memory.used())
    });
}

// The firehose first: its resident-memory figure is the process's, so nothing else is loaded yet.
criterion_group!(
    benches,
    memory_under_a_firehose,
    buffered_memory,
    parse_and_fold,
    draw,
    storm
);
criterion_main!(benches);
