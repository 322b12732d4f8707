//! The terminal side: one `tokio::select!` over key events, worker results and a slow tick.
//! It drains everything queued, then draws once, only if something changed, at most 60 fps.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::msg::{Cmd, Msg};

/// The shortest gap between frames. A burst of messages becomes one frame; 60 fps rather than
/// 30 because the frame with the first data would otherwise wait up to 33 ms for its slot
/// (launch to first data frame went from ~76 to ~57 ms), and a frame costs under 1 ms.
const FRAME: Duration = Duration::from_millis(16);
use super::{update, worker};
use crate::keymap;
use crate::source::{Source, SourceError};
use crate::state::{State, WindowChoice};
use crate::theme::{self, ColorDepth, Theme};

/// What the console starts with.
pub struct Options {
    pub theme: String,
    pub window: WindowChoice,
    pub no_color: bool,
    pub depth: ColorDepth,
    pub theme_dir: Option<PathBuf>,
}

/// Restores the terminal however the loop ends (return, `?`, or panic unwinding).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

pub async fn run(source: Source, opts: Options) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?; // also installs a panic hook that restores
    let _guard = TerminalGuard;
    let size = terminal.size()?;
    let mut app = App::new(source, opts);
    app.state.size = (size.width, size.height);
    let cmds = update::start(&mut app.state);
    app.dispatch(cmds);

    let mut events = EventStream::new();
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    let mut next_tick = Instant::now();
    loop {
        if dirty {
            // At most ~30 frames a second: a burst of messages becomes one frame.
            let due = last_draw.map(|t| t + FRAME).unwrap_or_else(Instant::now);
            if Instant::now() >= due {
                terminal.draw(|f| crate::ui::draw(f, &app.state, &app.theme))?;
                last_draw = Some(Instant::now());
                dirty = false;
            } else {
                next_tick = next_tick.min(due);
            }
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    if let Some(action) = keymap::resolve(&app.state, &key) {
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
                None => break,
            },
            Some(msg) = app.rx.recv() => {
                app.handle(msg);
                dirty = true;
            }
            Some(switched) = app.switch_rx.recv() => {
                let msg = match switched {
                    Ok(source) => {
                        let info = source.info();
                        app.source = source;
                        Msg::Switched(Ok(info))
                    }
                    Err(e) => Msg::Switched(Err(e)),
                };
                app.handle(msg);
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_tick) => {
                let seen = |s: &State| (s.now / 1000, s.is_busy(), s.health.clone(), s.source.clone());
                let before = seen(&app.state);
                let (now, health, info) = (app.source.now(), app.source.health(), app.source.info());
                app.handle(Msg::Tick { now, health, info });
                // Redraw for the clock's second, a spinner frame, or news from the source.
                dirty |= before != seen(&app.state) || app.state.is_busy();
                let pause = if app.state.is_busy() { 100 } else { 1000 - now.rem_euclid(1000) as u64 };
                next_tick = Instant::now() + Duration::from_millis(pause.max(10));
            }
            _ = tokio::signal::ctrl_c() => break,
        }
        // Drain whatever else is queued before drawing once.
        while let Ok(msg) = app.rx.try_recv() {
            app.handle(msg);
            dirty = true;
        }
        if app.state.quit {
            break;
        }
    }
    Ok(())
}

struct App {
    source: Source,
    state: State,
    theme: Theme,
    opts: Options,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    switch_tx: mpsc::UnboundedSender<Result<Source, SourceError>>,
    switch_rx: mpsc::UnboundedReceiver<Result<Source, SourceError>>,
    /// One job per kind: a newer command of the same kind aborts the older (latest wins).
    jobs: HashMap<&'static str, AbortHandle>,
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
        let mut state = State::new(source.info(), source.now(), &t.name, themes);
        state.window = opts.window;
        if let Some(e) = err {
            state.error(format!("theme: {e}; using {}", t.name));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (switch_tx, switch_rx) = mpsc::unbounded_channel();
        App {
            source,
            state,
            theme: t,
            opts,
            tx,
            rx,
            switch_tx,
            switch_rx,
            jobs: HashMap::new(),
        }
    }

    fn handle(&mut self, msg: Msg) {
        let cmds = update::update(&mut self.state, msg);
        self.dispatch(cmds);
    }

    fn dispatch(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            match cmd {
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
                    let cmds = update::update(&mut self.state, Msg::Theme(result));
                    self.dispatch(cmds);
                }
                Cmd::SwitchSource { profile, region } => self.switch(profile, region),
                cmd => {
                    let kind = cmd.kind();
                    let (source, tx) = (self.source.clone(), self.tx.clone());
                    let job = tokio::spawn(async move {
                        if let Some(msg) = worker::execute(&source, cmd).await {
                            let _ = tx.send(msg);
                        }
                    });
                    if let Some(old) = self.jobs.insert(kind, job.abort_handle()) {
                        old.abort();
                    }
                }
            }
        }
    }

    #[cfg(feature = "aws")]
    fn switch(&mut self, profile: Option<String>, region: Option<String>) {
        use crate::source::SourceInfo;
        let SourceInfo::Aws {
            profile: cur_profile,
            region: cur_region,
            endpoint,
            ..
        } = self.source.info()
        else {
            let _ = self.switch_tx.send(Err(SourceError::Other(
                "the demo account cannot switch".into(),
            )));
            return;
        };
        let opts = crate::source::aws::AwsOptions {
            profile: profile.or(cur_profile),
            region: region.or(Some(cur_region)),
            endpoint_url: endpoint,
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
