//! Text from AWS never reaches the terminal raw. A function whose every string carries escape
//! sequences (OSC 52 clipboard, title, cursor moves, BEL, C1, bidi overrides) is drawn on
//! every screen and overlay, and no cell may hold a control character.

use crate::common;

use common::{fresh, source};
use lambdascope::app::catalog::CatalogMsg;
use lambdascope::app::view::render;
use lambdascope::app::{Action, Msg, State, update};
use lambdascope::domain::{Function, LogFormat, SourceInfo, TracingMode};
use lambdascope::screens::dashboard::{DashboardMsg, DashboardScreen};
use lambdascope::ui::theme::Theme;

/// Bidi overrides first: ratatui drops C0/C1 controls by itself but passes format characters,
/// and a field cut to its column still starts with them.
const EVIL: &str = "\u{202e}\u{2066}\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[2J\x1b[H\u{9b}31mevil\u{7}\u{8}";

fn hostile() -> Function {
    Function {
        name: format!("{EVIL}fn"),
        arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{EVIL}"),
        runtime: Some(format!("{EVIL}python3.12")),
        handler: Some(format!("app.handler{EVIL}")),
        memory_mb: 128,
        timeout_s: 3,
        last_modified: common::T0 - 60_000,
        architecture: format!("arm64{EVIL}"),
        code_size: 179,
        description: format!("description{EVIL}"),
        log_group: format!("/aws/lambda/{EVIL}"),
        log_format: LogFormat::Text,
        tracing: TracingMode::Active,
        reserved_concurrency: None,
        trigger: Some(format!("API{EVIL}")),
        state: Some(format!("Active{EVIL}")),
        snap_start: false,
        layers: vec![format!("arn:aws:lambda:us-east-1:1:layer:{EVIL}:1")],
        env_vars: vec![format!("SECRET{EVIL}")],
        provisioned: Some(vec![lambdascope::domain::Provisioned {
            qualifier: format!("live{EVIL}"),
            requested: 1,
            allocated: 1,
            status: format!("READY{EVIL}"),
        }]),
        event_sources: Some(vec![lambdascope::domain::EventSource {
            arn: format!("arn:aws:sqs:us-east-1:1:{EVIL}"),
            state: format!("Enabled{EVIL}"),
            batch_size: Some(10),
        }]),
        deploys: vec![lambdascope::domain::Deploy {
            at: common::T0 - 120_000,
            version: format!("7{EVIL}"),
        }],
        detail_errors: vec![format!("event sources: {EVIL}")],
    }
}

/// The start of EVIL as the sanitizer shows it: each control visible, the sequence intact.
const SHOWN: &str = r"\u{202e}\u{2066}\e]52";

/// Every cell's symbol is free of C0/C1 controls, DEL and bidi overrides, and what was an
/// escape sequence is shown escaped (`\e]52;…`), not as the debris ratatui leaves when it
/// drops the control characters itself (`]52;…`). Each of `shows` is on screen, followed by
/// EVIL shown escaped.
fn assert_clean(state: &State, what: &str, shows: &[&str]) {
    let buf = render(state, &Theme::default_theme());
    let w = buf.area.width as usize;
    let text = common::buffer_text(&buf);
    for (y, row) in buf.content().chunks(w).enumerate() {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        for debris in ["]52;", "]0;pw", "[2J"] {
            for (at, _) in line.match_indices(debris) {
                assert!(
                    line[..at].ends_with("\\e"),
                    "{what}: row {y} shows an unescaped sequence: {line}"
                );
            }
        }
    }
    // Shown, not dropped: a blank screen would pass the checks above.
    for label in shows {
        let shown = format!("{label}{SHOWN}");
        assert!(
            text.contains(&shown),
            "{what}: {shown} is not on screen:\n{text}"
        );
    }
    for (i, cell) in buf.content().iter().enumerate() {
        for c in cell.symbol().chars() {
            let bad = c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c);
            assert!(!bad, "{what}: cell {i} holds {:?} ({:?})", c, cell.symbol());
        }
    }
}

#[tokio::test]
async fn hostile_strings_from_aws_are_escaped_everywhere() {
    let s = source();
    for size in [(80, 24), (200, 50)] {
        let mut state = fresh(&s, size);
        state.ctx.source = SourceInfo::Aws {
            account: Some(format!("1234{EVIL}")),
            profile: Some(format!("prod{EVIL}")),
            region: "us-east-1".into(),
            endpoint: Some(format!("http://127.0.0.1:5000/{EVIL}")),
        };
        update(
            &mut state,
            Msg::Catalog(CatalogMsg::List(Ok(vec![hostile()]))),
        );
        assert_clean(&state, "functions", &["1234", "· "]);
        state.ctx.error(format!("status {EVIL}"));
        assert_clean(&state, "status message", &["status "]);

        update(&mut state, Msg::Action(Action::Enter));
        let id = state.screen_of::<DashboardScreen>().expect("dashboard").id;
        update(
            &mut state,
            Msg::to(id, DashboardMsg::Config(Ok(Box::new(hostile())))),
        );
        assert_clean(&state, "dashboard", &["\n "]);
        update(&mut state, Msg::Action(Action::NextPanel));
        update(&mut state, Msg::Action(Action::NextPanel));
        assert_clean(&state, "configuration", &["arm64", "app.handler", "Active"]);
        update(&mut state, Msg::Action(Action::Help));
        assert_clean(&state, "help", &["Function "]);
    }
}
