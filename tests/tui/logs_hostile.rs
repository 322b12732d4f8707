//! Hostile log lines on the Logs screen: OSC 52 (clipboard), CSI (cursor, clear), title
//! sequences, BEL, C1 controls, bidi overrides, invalid UTF-8 and a 1 MB line. The screen is
//! drawn through crossterm's real backend into a byte buffer, and the bytes that would reach the
//! terminal are checked: none of the sequences is there raw, and the 1 MB line is cut. What `y`
//! copies is as inert (`Y` copies the raw text), and the 1 MB line is too large to copy.

use crate::common;

use common::{command, console, settle, source};
use lambdascope::app::jobs::Delivery;
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::{LogEvent, TailUpdate};
use lambdascope::screens::logs::{LogsAction, LogsMsg, LogsScreen};
use lambdascope::source::Source;
use lambdascope::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

fn hostile(t: i64) -> Vec<LogEvent> {
    let invalid = String::from_utf8_lossy(b"bad utf8 \xff\xfe\xc3 end").into_owned();
    let messages = [
        "START RequestId: evil-1 Version: $LATEST".to_string(),
        "2026-11-23T14:00:00.001Z\tevil-1\tINFO\tclip \x1b]52;c;cm0gLXJmIH4=\x07 done".to_string(),
        "2026-11-23T14:00:00.002Z\tevil-1\tERROR\ttitle \x1b]0;pwned\x1b\\ move \x1b[2J\x1b[H\x1b[10;10H bell \x07 c1 \u{9b}31m bs \x08\x08 bidi \u{202e}txt.exe".to_string(),
        format!("2026-11-23T14:00:00.003Z\tevil-1\tINFO\t{invalid}"),
        format!("2026-11-23T14:00:00.004Z\tevil-1\tINFO\t{}", "A".repeat(1 << 20)),
        "END RequestId: evil-1".to_string(),
        "REPORT RequestId: evil-1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t".to_string(),
    ];
    events(t, messages)
}

/// Events of orders-api-create, a millisecond apart from `t`.
fn events(t: i64, messages: impl IntoIterator<Item = String>) -> Vec<LogEvent> {
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            LogEvent::new(
                "/aws/lambda/orders-api-create".into(),
                "s".into(),
                t + i as i64,
                t,
                m,
            )
        })
        .collect()
}

/// The Logs screen of orders-api-create after its tail brought `events`.
async fn tailed(s: &Source, size: (u16, u16), events: Vec<LogEvent>) -> State {
    let mut state = console(s, size).await;
    let cmds = command(&mut state, "logs orders-api-create");
    settle(s, &mut state, cmds).await;
    let id = state.screen_of::<LogsScreen>().expect("logs").id;
    update(
        &mut state,
        Msg::to(
            id,
            LogsMsg::Tail(Delivery::Item(TailUpdate::Events(events))),
        ),
    );
    state
}

fn bytes_of(state: &lambdascope::app::State) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    {
        let backend = CrosstermBackend::new(&mut out);
        let mut terminal = Terminal::with_options(
            backend,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(
                    0,
                    0,
                    state.ctx.size.0,
                    state.ctx.size.1,
                )),
            },
        )
        .expect("terminal");
        terminal
            .draw(|f| lambdascope::app::view::draw(f, state, &Theme::default_theme()))
            .expect("draw");
    }
    out
}

fn assert_inert(out: &[u8], what: &str, osc_on_screen: bool) {
    let text = String::from_utf8_lossy(out);
    assert!(!out.contains(&0x07), "{what}: a BEL reached the terminal");
    assert!(!out.contains(&0x08), "{what}: a BS reached the terminal");
    assert!(
        !text.contains("\x1b]"),
        "{what}: an OSC sequence reached the terminal"
    );
    assert!(
        !text.contains("\x1b[2J"),
        "{what}: a clear-screen reached the terminal"
    );
    assert!(
        !text.contains("\x1b[H"),
        "{what}: a bare cursor-home reached the terminal"
    );
    assert!(
        !text.contains("\x1b\\"),
        "{what}: a string terminator reached the terminal"
    );
    assert!(
        !text.contains('\u{9b}'),
        "{what}: a C1 CSI reached the terminal"
    );
    assert!(
        !text.contains('\u{202e}'),
        "{what}: a bidi override reached the terminal"
    );
    // Shown escaped instead (when its line is on screen).
    if osc_on_screen {
        assert!(
            text.contains("\\e]52;c;"),
            "{what}: the OSC 52 attempt is not shown escaped"
        );
    }
    assert!(
        out.len() < 200_000,
        "{what}: {} bytes written; the 1 MB line is not cut",
        out.len()
    );
}

#[tokio::test]
async fn hostile_lines_reach_the_terminal_escaped_and_the_long_line_cut() {
    let s = source();
    for size in [(80, 24), (200, 50)] {
        let mut state = tailed(&s, size, hostile(common::T0 + 1000)).await;
        // Every line, unfolded, at the bottom.
        update(&mut state, Msg::Action(LogsAction::Fold.into()));
        update(&mut state, Msg::Action(Action::Bottom));
        assert_inert(&bytes_of(&state), "lines", true);
        update(&mut state, Msg::Action(LogsAction::Wrap.into()));
        // Wrapped, the cut long line fills the screen.
        assert_inert(&bytes_of(&state), "wrapped", false);
        // The 1 MB line is more than OSC 52 carries: put the cursor on it, and `y` says so.
        let l = state.screen_of::<LogsScreen>().expect("logs");
        let pos = l
            .rows
            .iter()
            .position(|r| r.seq(l).is_some_and(|q| l.buffer.text(q).len() > 1 << 20))
            .expect("the long line's row");
        let up = l.rows.len() - 1 - pos;
        for _ in 0..up {
            update(&mut state, Msg::Action(Action::Up));
        }
        for copy in [LogsAction::Copy, LogsAction::CopyRaw] {
            let cmds = update(&mut state, Msg::Action(copy.into()));
            assert_eq!(copied(&cmds), None, "{copy:?} sent the 1 MB line");
            let said = format!("{:?}", state.ctx.status);
            assert!(
                said.contains("too large to copy") && said.contains("save it with s"),
                "{said}"
            );
        }
    }
}

fn copied(cmds: &[Cmd]) -> Option<String> {
    cmds.iter().find_map(|c| match c {
        Cmd::Copy(t) => Some(t.clone()),
        _ => None,
    })
}

/// `y` copies what is safe to paste into a shell: a line that writes the clipboard, returns
/// the carriage or ends a bracketed paste arrives escaped, each line of an invocation on its
/// own line. `Y` copies the raw text.
#[tokio::test]
async fn y_copies_escaped_text_and_capital_y_the_raw_line() {
    let jacking = "clip \x1b]52;c;cm0gLXJmIH4=\x07 cr\rhidden \x1b[201~rm -rf ~\n";
    let message = format!("2026-11-23T14:00:00.001Z\tevil-2\tINFO\t{jacking}");
    let lines = [
        "START RequestId: evil-2 Version: $LATEST".to_string(),
        message.clone(),
        "END RequestId: evil-2".to_string(),
    ];
    let mut state = tailed(&source(), (120, 40), events(common::T0 + 1000, lines)).await;
    update(&mut state, Msg::Action(Action::Bottom));
    let inert = |text: &str, what: &str| {
        for c in ['\x1b', '\r', '\x07'] {
            assert!(!text.contains(c), "{what}: {c:?} in {text:?}");
        }
    };

    // Folded: the invocation, its lines apart.
    let invocation = copied(&update(&mut state, Msg::Action(LogsAction::Copy.into())))
        .expect("y copies the invocation");
    inert(&invocation, "invocation");
    assert!(invocation.contains("\\e[201~rm -rf ~"), "{invocation}");
    assert_eq!(
        invocation.lines().next(),
        Some("START RequestId: evil-2 Version: $LATEST")
    );
    assert!(invocation.lines().count() >= 3, "{invocation}");

    // Every line: the hostile one.
    update(&mut state, Msg::Action(LogsAction::Fold.into()));
    update(&mut state, Msg::Action(Action::Bottom));
    update(&mut state, Msg::Action(Action::Up));
    let line = copied(&update(&mut state, Msg::Action(LogsAction::Copy.into())))
        .expect("y copies the line");
    inert(&line, "line");
    assert!(
        line.contains("\\e]52;c;cm0gLXJmIH4=\\x07 cr\\rhidden"),
        "{line}"
    );
    let raw = copied(&update(&mut state, Msg::Action(LogsAction::CopyRaw.into())))
        .expect("Y copies the line");
    assert_eq!(raw, message);
}
