//! The terminal side: one `tokio::select!` over key events, answers from jobs, a slow tick,
//! signals and panics. It drains everything queued, then draws once, only if something
//! changed, at most 60 fps.
//!
//! Jobs run in the [`Runner`], which lets through only the answers that may reach `update`.
//!
//! However the loop ends (quit, error, SIGINT/SIGTERM/SIGHUP, or a panic in any thread) the
//! terminal is restored first, then the reason is reported.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::msg::{Cmd, Msg};
use super::runner::Runner;
use super::{keys, update, view};
use crate::domain::{SourceError, WindowChoice};
use crate::source::Source;
use crate::ui::theme::{self, ColorDepth, Theme};

/// The shortest gap between frames. A burst of messages becomes one frame; 60 fps rather than
/// 30 because the frame with the first data would otherwise wait up to 33 ms for its slot.
const FRAME: Duration = Duration::from_millis(16);
/// The longest the loop spends on queued answers before it draws and reads keys again.
const DRAIN_BUDGET: Duration = Duration::from_millis(25);
/// Deliveries of all subscriptions waiting for the loop; beyond this they are dropped and counted.
const SUBSCRIPTION_BUFFER: usize = 1024;

/// What the console starts with.
pub struct Options {
    pub theme: String,
    pub window: WindowChoice,
    pub no_color: bool,
    pub depth: ColorDepth,
    pub theme_dir: Option<PathBuf>,
    /// Chart markers in ASCII rather than braille.
    pub ascii: bool,
    /// Bytes all log buffers may hold together.
    pub log_memory: usize,
}

/// Why the console stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal asked us to stop (its name and the conventional exit code, 128 + number).
    Signal(&'static str, u8),
    /// Something panicked; the message, with where.
    Panic(String),
}

// ---------------------------------------------------------------------------------------------
// Panics

/// Set while the console owns the terminal: panics are then recorded and reported after the
/// terminal is restored, instead of being printed into the alternate screen.
static TUI_ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC: OnceLock<Mutex<Option<String>>> = OnceLock::new();
static PANIC_NOTIFY: OnceLock<Arc<Notify>> = OnceLock::new();

fn panic_slot() -> &'static Mutex<Option<String>> {
    PANIC.get_or_init(|| Mutex::new(None))
}

fn panic_notify() -> Arc<Notify> {
    PANIC_NOTIFY.get_or_init(|| Arc::new(Notify::new())).clone()
}

/// Installs the panic hook for the whole process. A panic in any thread (a worker, the tailer,
/// a blocking generator) ends the console: the loop notices, restores the terminal and exits.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !TUI_ACTIVE.load(Ordering::SeqCst) {
            default(info);
            return;
        }
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let text = format!("{info} (thread {thread})");
        tracing::error!(panic = %text, "panic");
        let mut slot = panic_slot().lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(text);
        drop(slot);
        panic_notify().notify_one();
    }));
}

fn take_panic() -> Option<String> {
    panic_slot()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

// ---------------------------------------------------------------------------------------------
// The terminal

/// Owns the terminal: raw mode and the alternate screen, restored on drop (return, `?`, panic
/// unwinding).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<(TerminalGuard, ratatui::DefaultTerminal)> {
        TUI_ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
        let terminal =
            ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
        TUI_ACTIVE.store(false, Ordering::SeqCst);
    }
}

/// The signals that end the console as quitting does.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn next(&mut self) -> Ended {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => Ended::Signal("SIGTERM", 143),
                _ = self.hup.recv() => Ended::Signal("SIGHUP", 129),
                _ = tokio::signal::ctrl_c() => Ended::Signal("SIGINT", 130),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Ended::Signal("SIGINT", 130)
        }
    }
}

/// How long quitting waits for the Logs Insights queries still running to be stopped (they
/// would go on scanning, and billing, for up to an hour).
const STOP_QUERIES_WITHIN: Duration = Duration::from_secs(3);

pub async fn run(source: Source, opts: Options) -> io::Result<Ended> {
    use futures::FutureExt;
    let mut signals = Signals::new()?;
    let (guard, mut terminal) = TerminalGuard::enter()?;
    let size = terminal.size()?;
    let mut app = App::new(source, opts);
    app.state.ctx.size = (size.width, size.height);
    // A panic on this thread (in update or a view) unwinds to here, where the hook has
    // recorded its message; the terminal is then restored as for any other end.
    let driven = std::panic::AssertUnwindSafe(drive(&mut app, &mut terminal, &mut signals));
    let ended = match driven.catch_unwind().await {
        Ok(ended) => ended,
        Err(_) => Ok(Ended::Panic(
            take_panic().unwrap_or_else(|| "a panic on the main thread".into()),
        )),
    };
    // The terminal first, then the clean-up a person need not watch.
    drop(terminal);
    drop(guard);
    app.runner.abort_all();
    app.source.settle(STOP_QUERIES_WITHIN).await;
    ended
}

async fn drive(
    app: &mut App,
    terminal: &mut ratatui::DefaultTerminal,
    signals: &mut Signals,
) -> io::Result<Ended> {
    let panicked = panic_notify();
    let cmds = update::start(&mut app.state);
    app.dispatch(cmds);

    let mut events = EventStream::new();
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    let mut next_tick = Instant::now();
    loop {
        if let Some(p) = take_panic() {
            return Ok(Ended::Panic(p));
        }
        if dirty {
            let due = last_draw.map(|t| t + FRAME).unwrap_or_else(Instant::now);
            if Instant::now() >= due {
                terminal.draw(|f| view::draw(f, &app.state, &app.theme))?;
                last_draw = Some(Instant::now());
                dirty = false;
            } else {
                next_tick = next_tick.min(due);
            }
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    if let Some(action) = keys::resolve(&app.state, &key) {
                        app.handle(Msg::Action(action));
                        dirty = true;
                    }
                }
                Some(Ok(Event::Resize(w, h))) => {
                    app.handle(Msg::Resize(w, h));
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(Ended::Quit),
            },
            msg = app.runner.next() => {
                app.handle(msg);
                dirty = true;
            }
            Some(switched) = app.switch_rx.recv() => {
                app.switched(switched);
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_tick) => {
                let seen = |a: &App| (a.state.ctx.now / 1000, a.state.is_busy(), a.state.ctx.health.clone(), a.state.ctx.source.clone());
                let before = seen(app);
                let (now, health, info) = (app.source.now(), app.source.health(), app.source.info());
                app.handle(Msg::Tick { now, health, info });
                // Redraw for the clock's second, a spinner frame, or news from the source.
                dirty |= before != seen(app) || app.state.is_busy();
                let pause = if app.state.is_busy() { 100 } else { 1000 - now.rem_euclid(1000) as u64 };
                next_tick = Instant::now() + Duration::from_millis(pause.max(10));
            }
            ended = signals.next() => return Ok(ended),
            _ = panicked.notified() => {}
        }
        // Drain whatever else is queued before drawing once, but only for so long: under a log
        // storm the next frame and the next key come first, and the rest waits its turn.
        let drain_until = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < drain_until
            && let Some(msg) = app.runner.try_next()
        {
            app.handle(msg);
            dirty = true;
        }
        if app.state.quit {
            return Ok(Ended::Quit);
        }
    }
}

struct App {
    source: Source,
    state: super::state::State,
    theme: Theme,
    opts: Options,
    runner: Runner,
    switch_tx: mpsc::UnboundedSender<Result<Source, SourceError>>,
    switch_rx: mpsc::UnboundedReceiver<Result<Source, SourceError>>,
}

/// OSC 52: the terminal (ours, or the one at the other end of SSH) puts the text on its
/// clipboard. Written by us with the text base64-encoded, so nothing in it is interpreted.
fn copy_to_clipboard(text: &str) -> io::Result<()> {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = io::stdout().lock();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

impl App {
    fn new(source: Source, opts: Options) -> App {
        let (t, err) = theme::resolve(
            &opts.theme,
            opts.no_color,
            opts.depth,
            opts.theme_dir.as_deref(),
        );
        let themes = theme::available(opts.theme_dir.as_deref());
        let mut state = super::state::State::new(source.info(), source.now(), &t.name, themes);
        state.ctx.window = opts.window;
        state.ctx.ascii = opts.ascii;
        state.ctx.log_memory = crate::domain::LogMemory::new(opts.log_memory);
        state.fault = source.fault();
        if let Some(e) = err {
            state.ctx.error(format!("theme: {e}; using {}", t.name));
        }
        let (switch_tx, switch_rx) = mpsc::unbounded_channel();
        App {
            source,
            state,
            theme: t,
            opts,
            runner: Runner::new(SUBSCRIPTION_BUFFER),
            switch_tx,
            switch_rx,
        }
    }

    fn handle(&mut self, msg: Msg) {
        let cmds = update::update(&mut self.state, msg);
        self.dispatch(cmds);
    }

    fn dispatch(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            match cmd {
                Cmd::Job(job) => self.runner.start(&self.source, job),
                Cmd::Cancel(key) => self.runner.cancel(&key),
                Cmd::CancelAll(owner) => self.runner.cancel_owner(owner),
                Cmd::SetTheme(name) => {
                    let result = match theme::load(&name, self.opts.theme_dir.as_deref()) {
                        Ok(t) => {
                            let t = if self.opts.no_color {
                                t
                            } else {
                                t.degrade(self.opts.depth)
                            };
                            let name = t.name.clone();
                            self.theme = t;
                            Ok(name)
                        }
                        Err(e) => Err(format!("theme: {e}")),
                    };
                    self.handle(Msg::Theme(result));
                }
                Cmd::SwitchSource { profile, region } => self.switch(profile, region),
                Cmd::Copy(text) => {
                    if let Err(e) = copy_to_clipboard(&text) {
                        tracing::warn!(%e, "OSC 52 copy failed");
                    }
                }
            }
        }
    }

    /// A new source arrived: everything in flight belonged to the old one.
    fn switched(&mut self, result: Result<Source, SourceError>) {
        let msg = match result {
            Ok(source) => {
                self.runner.new_epoch();
                let info = source.info();
                self.source = source;
                Msg::Switched(Ok(info))
            }
            Err(e) => Msg::Switched(Err(e)),
        };
        self.handle(msg);
    }

    #[cfg(feature = "aws")]
    fn switch(&mut self, profile: Option<String>, region: Option<String>) {
        let Source::Aws(current) = &self.source else {
            let _ = self.switch_tx.send(Err(SourceError::Other(
                "the demo account cannot switch".into(),
            )));
            return;
        };
        let cur = current.options();
        let opts = crate::source::aws::AwsOptions {
            profile: profile.or(cur.profile),
            region: region.or(cur.region),
            ..cur
        };
        let tx = self.switch_tx.clone();
        tokio::spawn(async move {
            let result = crate::source::aws::AwsSource::connect(&opts)
                .await
                .map(Source::Aws);
            let _ = tx.send(result);
        });
    }

    #[cfg(not(feature = "aws"))]
    fn switch(&mut self, _profile: Option<String>, _region: Option<String>) {
        let _ = self.switch_tx.send(Err(SourceError::Unsupported {
            what: "switching AWS profile or region".into(),
            reason: "this build has no AWS support".into(),
        }));
    }
}
