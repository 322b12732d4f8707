//! The Functions screen's budgets (issue #2): first frame with demo data, drawing 5,000
//! functions, fuzzy filtering 5,000 names per keystroke. Run: `cargo bench --bench functions`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use lambdascope::app::{self, Action, Msg, State};
use lambdascope::screens::functions::FunctionsScreen;
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};
use lambdascope::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio")
}

async fn loaded(source: &Source, size: (u16, u16)) -> State {
    let mut state = State::new(source.info(), source.now(), "dark", vec![]);
    state.ctx.size = size;
    let cmds = app::start(&mut state);
    app::driver::settle(source, &mut state, cmds).await;
    state
}

/// From nothing to the first frame with data: open the demo account, list functions, fetch
/// the visible rows' metrics for the last hour, draw 120×40. (The live clock, so minute stats
/// are computed fresh each time, as at launch.)
fn first_frame(c: &mut Criterion) {
    let rt = runtime();
    let theme = Theme::default_theme();
    c.bench_function("first_frame_with_demo_data_120x40", |b| {
        b.iter(|| {
            let source = Source::Demo(DemoSource::new(42, Clock::Real));
            let state = rt.block_on(loaded(&source, (120, 40)));
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
            terminal
                .draw(|f| app::view::draw(f, &state, &theme))
                .expect("draw");
        })
    });
}

/// One frame of the Functions screen over 5,000 functions, scrolled to the middle.
fn draw_5000(c: &mut Criterion) {
    let rt = runtime();
    let theme = Theme::default_theme();
    let source = Source::Demo(DemoSource::with_size(
        42,
        Clock::Fixed(1_795_442_400_000),
        5000,
    ));
    let mut state = rt.block_on(loaded(&source, (200, 50)));
    for _ in 0..2500 {
        app::update(&mut state, Msg::Action(Action::Down));
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("backend");
    let mut flip = false;
    c.bench_function("draw_functions_5000_rows_200x50", |b| {
        b.iter(|| {
            // Move the selection each frame so the diff has real work to do.
            flip = !flip;
            app::update(
                &mut state,
                Msg::Action(if flip { Action::Down } else { Action::Up }),
            );
            terminal
                .draw(|f| app::view::draw(f, &state, &theme))
                .expect("draw");
        })
    });
}

/// Fuzzy filter over 5,000 names: the first keystroke scans everything; later keystrokes
/// narrow what matched before.
fn filter_5000(c: &mut Criterion) {
    let rt = runtime();
    let source = Source::Demo(DemoSource::with_size(
        42,
        Clock::Fixed(1_795_442_400_000),
        5000,
    ));
    let state = rt.block_on(loaded(&source, (200, 50)));
    let catalog = &state.ctx.catalog;
    let home = || {
        state
            .screen_of::<FunctionsScreen>()
            .expect("home screen")
            .clone()
    };
    let mut f = home();
    c.bench_function("fuzzy_filter_5000_first_keystroke", |b| {
        b.iter(|| {
            f.set_filter(catalog, "");
            f.set_filter(catalog, "t");
        })
    });
    let mut g = home();
    c.bench_function("fuzzy_filter_5000_typing_tenant-04", |b| {
        b.iter(|| {
            g.set_filter(catalog, "");
            for n in 1..="tenant-04".len() {
                g.set_filter(catalog, &"tenant-04"[..n]);
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = first_frame, draw_5000, filter_5000
}
criterion_main!(benches);
