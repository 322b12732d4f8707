//! `update(&mut State, Msg) -> Vec<Cmd>`: the only place state changes. No I/O, no clock
//! reads: time arrives in `Msg::Tick`, data in the result messages.

use super::msg::{Action, Cmd, Msg};
use crate::source::{EpochMs, Metric, MetricQuery, MetricRequest, SourceInfo, Statistic};
use crate::state::functions::{self, Column};
use crate::state::{DetailState, Loadable, Overlay, Screen, State};

/// How often visible data refreshes. AWS bills per metric requested, so it refreshes less.
pub fn refresh_interval_ms(source: &SourceInfo) -> EpochMs {
    match source {
        SourceInfo::Demo { .. } => 10_000,
        SourceInfo::Aws { .. } => 60_000,
    }
}

/// Rows the functions table shows at a terminal height (header, column titles, two footer lines).
pub fn table_rows(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(4)).max(1)
}

/// The commands understood by the `:` palette: (name, argument, description).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("fn", "", "functions (home)"),
    ("window", "15m|1h|3h|12h|24h|3d|7d", "time window"),
    ("sort", "column", "sort by column (name, err%, p95…)"),
    ("theme", "name", "switch theme"),
    ("region", "name", "switch AWS region"),
    ("profile", "name", "switch AWS profile"),
    ("usage", "", "API calls and estimated cost"),
    ("help", "", "keys"),
    ("q", "", "quit"),
];

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Action(a) => on_action(state, a),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.functions.scroll_into_view(table_rows(state.size));
            fetch_missing_stats(state)
        }
        Msg::Tick { now, health, info } => {
            let before = state.now;
            state.now = now;
            state.health = health;
            if state.switching.is_none() {
                state.source = info;
            }
            state.frame = state.frame.wrapping_add(1);
            let every = refresh_interval_ms(&state.source);
            if now.div_euclid(every) != before.div_euclid(every) {
                refresh(state)
            } else {
                vec![]
            }
        }
        Msg::Functions(result) => {
            let was_empty = state.functions.functions().is_empty();
            match result {
                Ok(list) => {
                    state.functions.list = Loadable::Loaded(list);
                    state.functions.refresh_rows();
                    if was_empty {
                        state.functions.offset = 0;
                    }
                    state.functions.scroll_into_view(table_rows(state.size));
                    fetch_missing_stats(state)
                }
                Err(e) => {
                    // Keep what we had; say what went wrong.
                    if state.functions.list.loaded().is_some() {
                        state.error(format!("refresh failed: {e}"));
                    } else {
                        state.functions.list = Loadable::Failed(e);
                    }
                    vec![]
                }
            }
        }
        Msg::Stats {
            generation,
            window,
            names,
            result,
        } => {
            let f = &mut state.functions;
            if generation != f.stats_generation {
                return vec![]; // a newer request superseded this one
            }
            f.stats_loading = false;
            match result {
                Ok(series) => {
                    f.stats_error = None;
                    let stats = functions::stats_from_series(
                        &names,
                        &series.trend,
                        &series.totals,
                        window,
                        state.window.spark_period_s(),
                    );
                    f.stats.extend(stats);
                    if f.sort != Column::Name || !f.filter.is_empty() {
                        f.refresh_rows();
                    }
                }
                Err(e) => {
                    state.error(format!("metrics: {e}"));
                    state.functions.stats_error = Some(e);
                }
            }
            vec![]
        }
        Msg::Detail { generation, result } => {
            if generation == state.detail.generation {
                state.detail.config = result.into();
            }
            vec![]
        }
        Msg::Charts { generation, result } => {
            if generation == state.detail.generation {
                if let (Err(e), Some(_)) = (&result, state.detail.charts.loaded()) {
                    state.error(format!("charts: {e}"));
                } else {
                    state.detail.charts = result.into();
                }
            }
            vec![]
        }
        Msg::Switched(result) => {
            state.switching = None;
            match result {
                Ok(info) => {
                    state.info(format!("switched to {info}"));
                    state.source = info;
                    state.functions = Default::default();
                    state.screens = vec![Screen::Functions];
                    state.functions.list = Loadable::Loading;
                    vec![Cmd::LoadFunctions]
                }
                Err(e) => {
                    state.error(format!("could not switch: {e}"));
                    vec![]
                }
            }
        }
        Msg::Theme(result) => {
            match result {
                Ok(name) => {
                    state.info(format!("theme {name}"));
                    state.theme = name;
                }
                Err(e) => state.error(e),
            }
            vec![]
        }
    }
}

/// The first commands: load the function list.
pub fn start(state: &mut State) -> Vec<Cmd> {
    state.functions.list = Loadable::Loading;
    vec![Cmd::LoadFunctions]
}

fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    if action == Action::Quit {
        state.quit = true;
        return vec![];
    }
    if state.filter_input.is_some() {
        return on_filter_input(state, action);
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
    match action {
        Action::Help => {
            state.overlay = Some(Overlay::Help);
            vec![]
        }
        Action::Palette => {
            state.overlay = Some(Overlay::Palette(String::new()));
            vec![]
        }
        Action::WindowWider => set_window(state, state.window.next()),
        Action::WindowNarrower => set_window(state, state.window.prev()),
        Action::Refresh => {
            let mut cmds = refresh(state);
            cmds.push(Cmd::LoadFunctions);
            cmds
        }
        _ => match state.screen() {
            Screen::Functions => on_functions(state, action),
            Screen::Function => on_detail(state, action),
        },
    }
}

fn on_functions(state: &mut State, action: Action) -> Vec<Cmd> {
    let page = table_rows(state.size) as isize;
    let f = &mut state.functions;
    match action {
        Action::Up => f.move_by(-1),
        Action::Down => f.move_by(1),
        Action::PageUp => f.move_by(-page),
        Action::PageDown => f.move_by(page),
        Action::Top => f.selected = 0,
        Action::Bottom => f.select_last(),
        Action::Filter => state.filter_input = Some(f.filter.clone()),
        Action::Back if !f.filter.is_empty() => f.set_filter(""),
        Action::SortNext => {
            let cols: Vec<Column> = Column::sortable().collect();
            let i = cols.iter().position(|c| *c == f.sort).unwrap_or(0);
            f.set_sort(cols[(i + 1) % cols.len()]);
        }
        Action::SortReverse => f.set_sort(f.sort),
        Action::Enter => {
            if let Some(name) = f.selected_function().map(|x| x.name.clone()) {
                return open_detail(state, name);
            }
        }
        _ => {}
    }
    state.functions.scroll_into_view(table_rows(state.size));
    fetch_missing_stats(state)
}

fn on_detail(state: &mut State, action: Action) -> Vec<Cmd> {
    match action {
        Action::Back => {
            state.screens.pop();
            if state.screens.is_empty() {
                state.screens.push(Screen::Functions);
            }
        }
        Action::NextPanel => state.detail.panel = (state.detail.panel + 1) % DetailState::PANELS,
        _ => {}
    }
    vec![]
}

fn on_filter_input(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(text) = state.filter_input.as_mut() else {
        return vec![];
    };
    match action {
        a if edit(text, a) => {}
        Action::InputSubmit => {
            state.filter_input = None;
            return vec![];
        }
        Action::InputCancel => {
            state.filter_input = None;
            state.functions.set_filter("");
            return fetch_missing_stats(state);
        }
        _ => return vec![],
    }
    let query = text.clone();
    state.functions.set_filter(&query);
    state.functions.offset = 0;
    state.functions.scroll_into_view(table_rows(state.size));
    fetch_missing_stats(state)
}

/// Typing, backspace and clear, shared by the filter box and the palette. Returns whether the
/// action was an edit.
fn edit(text: &mut String, action: Action) -> bool {
    match action {
        Action::Input(c) if !c.is_control() => text.push(c),
        Action::InputBackspace => {
            text.pop();
        }
        Action::InputClear => text.clear(),
        _ => return false,
    }
    true
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

/// Palette completions for what has been typed so far.
pub fn completions(text: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    let word = text.split_whitespace().next().unwrap_or("");
    COMMANDS
        .iter()
        .copied()
        .filter(|(name, _, _)| name.starts_with(word))
        .collect()
}

fn run_command(state: &mut State, line: &str) -> Vec<Cmd> {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return vec![];
    };
    let arg = words.collect::<Vec<_>>().join(" ");
    // A unique prefix is enough (`:th dark`).
    let matches: Vec<_> = COMMANDS
        .iter()
        .filter(|(n, _, _)| n.starts_with(cmd))
        .collect();
    let name = match (
        COMMANDS.iter().find(|(n, _, _)| *n == cmd),
        matches.as_slice(),
    ) {
        (Some((n, _, _)), _) => *n,
        (None, [(n, _, _)]) => *n,
        _ => match cmd {
            "quit" | "q!" => "q",
            "functions" | "func" | "home" => "fn",
            _ => {
                let known: Vec<_> = COMMANDS.iter().map(|(n, _, _)| format!(":{n}")).collect();
                state.error(format!("unknown command :{cmd}; try {}", known.join(" ")));
                return vec![];
            }
        },
    };
    match name {
        "q" => {
            state.quit = true;
            vec![]
        }
        "fn" => {
            state.screens = vec![Screen::Functions];
            vec![]
        }
        "help" => {
            state.overlay = Some(Overlay::Help);
            vec![]
        }
        "usage" => {
            state.overlay = Some(Overlay::Usage);
            vec![]
        }
        "window" => match crate::state::WindowChoice::parse(&arg) {
            Some(w) => set_window(state, w),
            None => {
                state.error(format!(
                    "window {arg:?}: use 15m, 1h, 3h, 12h, 24h, 3d or 7d"
                ));
                vec![]
            }
        },
        "sort" => match Column::parse(&arg) {
            Some(c) => {
                state.functions.set_sort(c);
                vec![]
            }
            None => {
                state.error(format!("no column {arg:?} to sort by"));
                vec![]
            }
        },
        "theme" if arg.is_empty() => {
            state.info(format!("themes: {}", state.themes.join(", ")));
            vec![]
        }
        "theme" => vec![Cmd::SetTheme(arg)],
        "region" | "profile" => {
            if matches!(state.source, SourceInfo::Demo { .. }) {
                state.error(format!(
                    ":{name} needs AWS; the demo account has one region"
                ));
                return vec![];
            }
            if arg.is_empty() {
                state.error(format!(
                    ":{name} needs a name, e.g. :{name} {}",
                    if name == "region" {
                        "eu-west-1"
                    } else {
                        "prod"
                    }
                ));
                return vec![];
            }
            state.switching = Some(format!("{name} {arg}"));
            let (profile, region) = if name == "region" {
                (None, Some(arg))
            } else {
                (Some(arg), None)
            };
            vec![Cmd::SwitchSource { profile, region }]
        }
        _ => vec![],
    }
}

fn set_window(state: &mut State, w: crate::state::WindowChoice) -> Vec<Cmd> {
    if w == state.window {
        return vec![];
    }
    state.window = w;
    state.functions.stats.clear();
    state.info(format!("window: last {}", w.label()));
    refresh(state)
}

/// Re-asks for what is on screen.
fn refresh(state: &mut State) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    // A list that failed (no network, an outage) is retried on every refresh: the console
    // recovers by itself. The error stays on screen until the retry succeeds.
    if matches!(state.functions.list, Loadable::Failed(_)) {
        cmds.push(Cmd::LoadFunctions);
    }
    let rows = table_rows(state.size);
    let names = state.functions.names_on_screen(rows);
    if !names.is_empty() {
        cmds.push(stats_cmd(state, names));
    }
    if state.screen() == Screen::Function && !state.detail.name.is_empty() {
        cmds.push(charts_cmd(state));
    }
    cmds
}

fn fetch_missing_stats(state: &mut State) -> Vec<Cmd> {
    if state.functions.list.loaded().is_none() {
        return vec![];
    }
    let names = state.functions.names_needing_stats(table_rows(state.size));
    if names.is_empty() {
        return vec![];
    }
    // Ask again for the whole view so one answer covers it (latest wins).
    let names = state.functions.names_in_view(table_rows(state.size));
    vec![stats_cmd(state, names)]
}

fn stats_cmd(state: &mut State, names: Vec<String>) -> Cmd {
    let f = &mut state.functions;
    f.stats_generation += 1;
    f.stats_loading = true;
    let (window, trend, totals) = functions::stats_requests(&names, state.window, state.now);
    Cmd::LoadStats {
        generation: f.stats_generation,
        window,
        names,
        trend,
        totals,
    }
}

/// Metrics the detail charts draw.
pub fn chart_queries(name: &str) -> Vec<MetricQuery> {
    MetricQuery::each(
        name,
        &[
            (Metric::Invocations, Statistic::Sum),
            (Metric::Errors, Statistic::Sum),
            (Metric::Throttles, Statistic::Sum),
            (Metric::Duration, Statistic::P50),
            (Metric::Duration, Statistic::P95),
            (Metric::Duration, Statistic::P99),
            (Metric::ConcurrentExecutions, Statistic::Max),
            (Metric::ColdStarts, Statistic::Sum),
            (Metric::InitDuration, Statistic::Average),
            (Metric::InitDuration, Statistic::Max),
        ],
    )
}

fn charts_cmd(state: &mut State) -> Cmd {
    if state.detail.charts.loaded().is_none() {
        state.detail.charts = Loadable::Loading;
    }
    let request = MetricRequest {
        queries: chart_queries(&state.detail.name),
        window: state.window.window(state.now),
        period_s: state.window.chart_period_s(),
    };
    Cmd::LoadCharts {
        generation: state.detail.generation,
        request,
    }
}

fn open_detail(state: &mut State, name: String) -> Vec<Cmd> {
    let generation = state.detail.generation + 1;
    state.detail = DetailState {
        name: name.clone(),
        generation,
        config: Loadable::Loading,
        ..Default::default()
    };
    state.screens.push(Screen::Function);
    vec![Cmd::LoadDetail { generation, name }, charts_cmd(state)]
}
