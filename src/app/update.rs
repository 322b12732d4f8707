//! `update(&mut State, Msg) -> Vec<Cmd>`: the only place state changes. No I/O, no clock
//! reads: time arrives in `Msg::Tick`, data in the result messages.
//!
//! This file handles what holds on every screen (overlays, the palette, the window, the clock,
//! the catalog) and hands the rest to the screen on top through the router.

use super::catalog;
use super::commands::{self, CommandId};
use super::keys::edit;
use super::msg::{Action, Cmd, Msg};
use super::policy::due;
use super::router::{self, Nav, Place};
use super::state::{Overlay, State};
use crate::domain::{SourceInfo, WindowChoice};
use crate::source::demo::Fault;
use crate::ui::format;

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = match msg {
        Msg::Action(a) => on_action(state, a),
        Msg::Resize(w, h) => {
            state.ctx.size = (w, h);
            let top = state.stack.len() - 1;
            state.stack[top].1.base_mut().on_resize(&mut state.ctx)
        }
        Msg::Tick { now, health, info } => {
            if state.fault == Some(Fault::PanicInUpdate) {
                panic!("injected fault: update panicked (--demo-fault panic-in-update)");
            }
            on_tick(state, now, health, info)
        }
        Msg::Catalog(m) => {
            let (mut cmds, changed) = catalog::update(&mut state.ctx, m);
            if changed {
                for (_, screen) in &mut state.stack {
                    cmds.extend(screen.base_mut().on_catalog(&mut state.ctx));
                }
            }
            cmds
        }
        Msg::Screen(id, m) => match state.stack.iter_mut().find(|(i, _)| *i == id) {
            Some((_, screen)) => screen.on_msg(&mut state.ctx, m),
            None => vec![], // its screen has closed
        },
        Msg::Switched(result) => {
            state.ctx.switching = None;
            match result {
                Ok(info) => {
                    state.ctx.info(format!("switched to {info}"));
                    state.ctx.source = info;
                    state.ctx.catalog = Default::default();
                    // Every screen showed the old account: start again from home.
                    state.stack.truncate(1);
                    state.overlay = None;
                    start(state)
                }
                Err(e) => {
                    state.ctx.error(format!("could not switch: {e}"));
                    vec![]
                }
            }
        }
        Msg::Theme(result) => {
            match result {
                Ok(name) => {
                    state.ctx.info(format!("theme {name}"));
                    state.ctx.theme = name;
                }
                Err(e) => state.ctx.error(e),
            }
            vec![]
        }
    };
    cmds.extend(navigate(state));
    cmds
}

/// The first commands: load the function list and what the home screen shows.
pub fn start(state: &mut State) -> Vec<Cmd> {
    let mut cmds = vec![catalog::load_list(&mut state.ctx)];
    let top = state.stack.len() - 1;
    cmds.extend(state.stack[top].1.base_mut().refresh(&mut state.ctx));
    cmds
}

fn on_tick(
    state: &mut State,
    now: crate::domain::EpochMs,
    health: crate::domain::SourceHealth,
    info: SourceInfo,
) -> Vec<Cmd> {
    let ctx = &mut state.ctx;
    let before = ctx.now;
    ctx.now = now;
    ctx.health = health;
    if ctx.switching.is_none() {
        ctx.source = info;
    }
    ctx.frame = ctx.frame.wrapping_add(1);
    let p = ctx.policy;
    let mut cmds = Vec::new();
    // The list is retried at every tick of its period while it has never loaded (an outage at
    // start-up), and refreshed at its own slower pace afterwards.
    let list_failed = ctx.catalog.list.loaded().is_none() && !ctx.catalog.list.is_loading();
    if due(before, now, p.list_every) || (list_failed && due(before, now, p.rows_every)) {
        cmds.push(catalog::load_list(ctx));
    }
    if due(before, now, p.health_every(ctx.catalog.functions().len())) {
        cmds.extend(catalog::refresh_health(ctx));
    }
    if due(before, now, p.screen_every.min(p.rows_every)) {
        cmds.extend(refresh_top(state));
    }
    cmds
}

/// Re-asks for what the screen on top shows.
fn refresh_top(state: &mut State) -> Vec<Cmd> {
    let top = state.stack.len() - 1;
    state.stack[top].1.base_mut().refresh(&mut state.ctx)
}

fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    if action == Action::Quit {
        state.quit = true;
        return vec![];
    }
    match state.overlay.clone() {
        Some(Overlay::Palette(text)) => return on_palette_input(state, text, action),
        Some(_) => {
            if matches!(action, Action::Back | Action::Help) {
                state.overlay = None;
            }
            return vec![];
        }
        None => {}
    }
    let top = state.stack.len() - 1;
    if state.typing() {
        return state.stack[top]
            .1
            .base_mut()
            .on_action(&mut state.ctx, action);
    }
    match action {
        Action::Help => {
            state.overlay = Some(Overlay::Help);
            vec![]
        }
        Action::Palette => {
            state.overlay = Some(Overlay::Palette(String::new()));
            vec![]
        }
        Action::WindowWider => set_window(state, state.ctx.window.next()),
        Action::WindowNarrower => set_window(state, state.ctx.window.prev()),
        Action::ClearIncident => clear_incident(state),
        Action::Refresh => {
            let mut cmds = vec![catalog::load_list(&mut state.ctx)];
            cmds.extend(catalog::refresh_health(&mut state.ctx));
            cmds.extend(refresh_top(state));
            cmds
        }
        Action::Screen(a) => state.stack[top].1.on_own(&mut state.ctx, a),
        a => state.stack[top].1.base_mut().on_action(&mut state.ctx, a),
    }
}

fn on_palette_input(state: &mut State, mut text: String, action: Action) -> Vec<Cmd> {
    match action {
        Action::InputBackspace if text.is_empty() => {
            // Backspace on an empty palette closes it, as in vim.
            state.overlay = None;
            return vec![];
        }
        a if edit(&mut text, a) => {}
        Action::InputCancel => {
            state.overlay = None;
            return vec![];
        }
        Action::InputSubmit => {
            state.overlay = None;
            return run_command(state, text.trim());
        }
        _ => {}
    }
    state.overlay = Some(Overlay::Palette(text));
    vec![]
}

fn run_command(state: &mut State, line: &str) -> Vec<Cmd> {
    let Some((word, arg)) = commands::parse(line) else {
        return vec![];
    };
    let cmd = match commands::resolve(word) {
        Ok(c) => c,
        Err(e) => {
            state.ctx.error(e);
            return vec![];
        }
    };
    let ctx = &mut state.ctx;
    if let Some(opens) = cmd.opens {
        ctx.go(opens(arg));
        return vec![];
    }
    match cmd.id {
        CommandId::Quit => {
            state.quit = true;
            vec![]
        }
        CommandId::Functions => {
            ctx.nav.push(Nav::Home);
            vec![]
        }
        CommandId::Help => {
            state.overlay = Some(Overlay::Help);
            vec![]
        }
        CommandId::Usage => {
            state.overlay = Some(Overlay::Usage);
            vec![]
        }
        CommandId::Trace if arg.is_empty() => {
            ctx.error(":trace needs a trace id, e.g. :trace 1-5759e988-bd862e3fe1be46a994272793");
            vec![]
        }
        CommandId::Trace => {
            ctx.go(Place::Waterfall(arg));
            vec![]
        }
        CommandId::Window => match WindowChoice::parse(&arg) {
            Some(w) => set_window(state, w),
            None => {
                ctx.error(format!("window {arg:?}: use {}", WindowChoice::LIST));
                vec![]
            }
        },
        CommandId::Theme if arg.is_empty() => {
            let list = ctx.themes.join(", ");
            ctx.info(format!("themes: {list}"));
            vec![]
        }
        CommandId::Theme => vec![Cmd::SetTheme(arg)],
        CommandId::Region | CommandId::Profile => {
            if matches!(ctx.source, SourceInfo::Demo { .. }) {
                ctx.error(format!(
                    ":{} needs AWS; the demo account has one region",
                    cmd.name
                ));
                return vec![];
            }
            if arg.is_empty() {
                let example = if cmd.id == CommandId::Region {
                    "eu-west-1"
                } else {
                    "prod"
                };
                ctx.error(format!(":{0} needs a name, e.g. :{0} {example}", cmd.name));
                return vec![];
            }
            ctx.switching = Some(format!("{} {arg}", cmd.name));
            let (profile, region) = if cmd.id == CommandId::Region {
                (None, Some(arg))
            } else {
                (Some(arg), None)
            };
            vec![Cmd::SwitchSource { profile, region }]
        }
        // Commands that belong to a screen go to the one on top, then to the home screen.
        id => {
            for i in (0..state.stack.len()).rev() {
                if let Some(cmds) = state.stack[i]
                    .1
                    .base_mut()
                    .on_command(&mut state.ctx, id, &arg)
                {
                    return cmds;
                }
            }
            state
                .ctx
                .error(format!(":{} does nothing on this screen", cmd.name));
            vec![]
        }
    }
}

/// Forgets the incident window; every screen asks again for the last `window`.
fn clear_incident(state: &mut State) -> Vec<Cmd> {
    let Some(w) = state.ctx.incident.take() else {
        state
            .ctx
            .info("no incident window is marked (mark one on a function's charts)");
        return vec![];
    };
    state.ctx.info(format!(
        "incident window {} cleared: back to the last {}",
        format::span(w),
        state.ctx.window.label()
    ));
    let mut cmds = catalog::focus_changed(&mut state.ctx);
    cmds.extend(refresh_top(state));
    cmds
}

fn set_window(state: &mut State, w: WindowChoice) -> Vec<Cmd> {
    if w == state.ctx.window {
        return vec![];
    }
    state.ctx.window = w;
    if let Some(incident) = state.ctx.incident {
        // The marked window stays in force; the new span is for when it is cleared.
        state.ctx.info(format!(
            "window: last {} once the incident window {} is cleared (X)",
            w.label(),
            format::span(incident)
        ));
        return vec![];
    }
    catalog::window_changed(&mut state.ctx);
    state.ctx.info(format!("window: last {}", w.label()));
    let mut cmds: Vec<Cmd> = catalog::refresh_health(&mut state.ctx)
        .into_iter()
        .collect();
    cmds.extend(refresh_top(state));
    cmds
}

/// Applies the moves through the screen stack that this update asked for. A screen that opens
/// asks for its data; a screen that closes has its jobs cancelled; the one it uncovers refreshes.
fn navigate(state: &mut State) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for nav in std::mem::take(&mut state.ctx.nav) {
        match nav {
            Nav::Open(place) => {
                if let Some((_, covered)) = state.stack.last_mut() {
                    cmds.extend(covered.base_mut().on_covered(&mut state.ctx));
                }
                let (id, mut screen) = router::open(&mut state.ctx, place);
                cmds.extend(screen.base_mut().refresh(&mut state.ctx));
                state.stack.push((id, screen));
            }
            Nav::Back | Nav::Home => {
                let keep = if nav == Nav::Back {
                    state.stack.len().saturating_sub(1).max(1)
                } else {
                    1
                };
                if state.stack.len() <= keep {
                    continue;
                }
                for (id, _) in state.stack.drain(keep..) {
                    cmds.push(Cmd::CancelAll(super::jobs::Owner::Screen(id)));
                }
                cmds.extend(refresh_top(state));
            }
        }
    }
    cmds
}
