//! Themes: `themes/<name>.toml` with a `[palette]` of named colours and `[styles]` of semantic
//! roles that refer to it. Built-ins are embedded; `$XDG_CONFIG_HOME/lambdascope/themes/`
//! overrides or adds. Parsed once into ready `Style`s, then degraded to the terminal's colours.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const DEFAULT_THEME: &str = "dark";

/// Built-in themes, embedded in the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

macro_rules! roles {
    ($($field:ident => $role:literal, $doc:literal;)*) => {
        /// Ready styles for every semantic role.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(#[doc = $doc] pub $field: Style,)*
        }

        /// Every role a theme may set, with what it colours.
        pub const ROLES: &[(&str, &str)] = &[$(($role, $doc),)*];

        impl Theme {
            /// Every role unstyled (selection still reversed, so it shows without a theme).
            fn blank(name: &str) -> Theme {
                let mut t = Theme { name: name.to_string(), $($field: Style::default(),)* };
                t.selected = Style::default().add_modifier(Modifier::REVERSED);
                t
            }
            fn set(&mut self, role: &str, style: Style) -> bool {
                match role {
                    $($role => self.$field = style,)*
                    _ => return false,
                }
                true
            }
            fn map_styles(&mut self, f: impl Fn(Style) -> Style) {
                $(self.$field = f(self.$field);)*
            }
        }
    };
}

roles! {
    base => "base", "text and background of every screen";
    header => "header", "the top bar";
    brand => "header.brand", "the app name in the top bar";
    border => "border", "panel borders";
    title => "title", "panel titles";
    table_header => "table.header", "column titles";
    selected => "table.selected", "the selected row";
    matched => "table.match", "characters the filter matched";
    dim => "dim", "secondary text";
    ok => "ok", "healthy values";
    warn => "warn", "values worth a look";
    error => "error", "failing values";
    throttled => "throttled", "throttled values";
    status => "status.bar", "the status line";
    status_error => "status.error", "errors in the status line";
    status_throttled => "status.throttled", "the throttling badge";
    hint_key => "hint.key", "keys in the footer";
    hint_text => "hint.text", "descriptions in the footer";
    spinner => "spinner", "loading spinners";
    popup => "popup", "overlays (help, palette)";
    input => "input", "the filter box and palette text";
    sparkline => "sparkline", "the invocations trend column";
    chart_invocations => "chart.invocations", "invocations series";
    chart_errors => "chart.errors", "errors series";
    chart_throttles => "chart.throttles", "throttles series";
    chart_p50 => "chart.p50", "p50 duration";
    chart_p95 => "chart.p95", "p95 duration";
    chart_p99 => "chart.p99", "p99 duration";
    chart_cold => "chart.cold", "cold starts";
    chart_init => "chart.init", "init durations";
    chart_axis => "chart.axis", "chart axes and labels";
    log_error => "log.error", "ERROR log lines";
    log_warn => "log.warn", "WARN log lines";
    log_info => "log.info", "INFO log lines";
    log_debug => "log.debug", "DEBUG log lines";
    log_platform => "log.platform", "START/END/REPORT lines";
    waterfall_ok => "waterfall.ok", "trace bars that succeeded";
    waterfall_fault => "waterfall.fault", "trace bars with faults (5xx)";
    waterfall_error => "waterfall.error", "trace bars with errors (4xx)";
    waterfall_throttle => "waterfall.throttle", "trace bars throttled (429)";
    // dashboard
    chart_p90 => "chart.p90", "p90 duration";
    chart_rate => "chart.rate", "error rate, on the errors chart's right axis";
    chart_concurrency => "chart.concurrency", "concurrent executions";
    chart_init_p99 => "chart.init_p99", "p99 init duration (p50 is chart.init)";
    chart_limit => "chart.limit", "a limit drawn on a chart (reserved concurrency)";
    chart_deploy => "chart.deploy", "deploy markers on the time axis";
    chart_cursor => "chart.cursor", "the cursor column shared by every chart";
    chart_selection => "chart.selection", "the span being marked as the incident window";
    chart_focus => "chart.focus", "the title of the chart keys act on";
    incident => "header.incident", "the incident window in the header";
    // traces
    waterfall_cold => "waterfall.cold", "the cold start (Initialization) and cold traces";
    waterfall_critical => "waterfall.critical", "the critical path marker and self-times on it";
    waterfall_inferred => "waterfall.inferred", "bars of nodes X-Ray inferred (DynamoDB tables)";
    map_node => "map.node", "service map nodes";
    map_edge => "map.edge", "service map edges and call counts";
    map_error => "map.error", "map nodes and edges with errors or throttles";
    map_fault => "map.fault", "map nodes and edges with faults";
    // logs
    log_match => "log.match", "search matches in log lines";
    log_gap => "log.gap", "rows for spans that could not be fetched";
    log_cold => "log.cold", "the cold-start badge";
    log_time => "log.time", "timestamps of log lines";
    log_summary => "log.summary", "invocation summary rows";
    log_fn1 => "log.function.1", "function names, first colour";
    log_fn2 => "log.function.2", "function names, second colour";
    log_fn3 => "log.function.3", "function names, third colour";
    log_fn4 => "log.function.4", "function names, fourth colour";
    log_fn5 => "log.function.5", "function names, fifth colour";
    log_fn6 => "log.function.6", "function names, sixth colour";
}

impl Theme {
    /// The built-in default; it is tested, so it always parses.
    pub fn default_theme() -> Theme {
        parse(DEFAULT_THEME, BUILTIN[0].1, "themes/dark.toml")
            .unwrap_or_else(|_| Theme::blank(DEFAULT_THEME))
    }

    /// Adapts colours to what the terminal can show.
    pub fn degrade(mut self, depth: ColorDepth) -> Theme {
        if depth == ColorDepth::TrueColor {
            return self;
        }
        self.map_styles(|s| Style {
            fg: s.fg.map(|c| depth.convert(c)),
            bg: s.bg.map(|c| depth.convert(c)),
            underline_color: s.underline_color.map(|c| depth.convert(c)),
            ..s
        });
        self
    }
}

/// A theme file with a mistake: which file, where, what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ThemeError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    palette: BTreeMap<String, String>,
    #[serde(default)]
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    reversed: bool,
}

/// The line (1-based) where `key` is written, to point the user at it.
fn line_of(src: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    src.lines()
        .position(|l| {
            let l = l.trim_start();
            (l.starts_with(key) && l[key.len()..].trim_start().starts_with('='))
                || l.starts_with(&quoted)
        })
        .map(|i| i + 1)
}

/// Parses a colour: a palette name, `#rrggbb`, an ANSI name, or `ansi-N` (0–255).
fn color(value: &str, palette: &BTreeMap<String, String>, depth: usize) -> Result<Color, String> {
    if let Some(v) = palette.get(value) {
        if depth > 4 {
            return Err(format!("palette colour {value:?} refers to itself"));
        }
        return color(v, palette, depth + 1);
    }
    if let Some(hex) = value.strip_prefix('#') {
        if let (6, Ok(n)) = (hex.len(), u32::from_str_radix(hex, 16)) {
            return Ok(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8));
        }
        return Err(format!("{value:?} is not a #rrggbb colour"));
    }
    if let Some(n) = value.strip_prefix("ansi-") {
        return n
            .parse::<u8>()
            .map(Color::Indexed)
            .map_err(|_| format!("{value:?}: ansi-N takes 0 to 255"));
    }
    Ok(match value {
        "default" | "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark-gray" | "dark-grey" | "bright-black" => Color::DarkGray,
        "light-red" | "bright-red" => Color::LightRed,
        "light-green" | "bright-green" => Color::LightGreen,
        "light-yellow" | "bright-yellow" => Color::LightYellow,
        "light-blue" | "bright-blue" => Color::LightBlue,
        "light-magenta" | "bright-magenta" => Color::LightMagenta,
        "light-cyan" | "bright-cyan" => Color::LightCyan,
        "white" | "bright-white" => Color::White,
        _ => {
            return Err(format!(
                "unknown colour {value:?} (not in [palette], not #rrggbb, not an ANSI name)"
            ));
        }
    })
}

/// Parses a theme file's text. `file` names it in errors.
pub fn parse(name: &str, src: &str, file: &str) -> Result<Theme, ThemeError> {
    let err = |line: Option<usize>, message: String| ThemeError {
        file: file.to_string(),
        line,
        message,
    };
    let parsed: ThemeFile = toml::from_str(src).map_err(|e| {
        let line = e
            .span()
            .map(|s| src[..s.start.min(src.len())].lines().count().max(1));
        err(line, e.message().to_string())
    })?;
    let mut theme = Theme::blank(name);
    // The base style first: other roles inherit its colours.
    let mut order: Vec<_> = parsed.styles.iter().collect();
    order.sort_by_key(|(k, _)| *k != "base");
    for (role, spec) in order {
        let mut style = if role == "base" {
            Style::default()
        } else {
            theme.base
        };
        for (value, is_fg) in [(&spec.fg, true), (&spec.bg, false)] {
            if let Some(v) = value {
                let c = color(v, &parsed.palette, 0)
                    .map_err(|m| err(line_of(src, role), format!("[styles] {role}: {m}")))?;
                style = if is_fg { style.fg(c) } else { style.bg(c) };
            }
        }
        for (on, m) in [
            (spec.bold, Modifier::BOLD),
            (spec.italic, Modifier::ITALIC),
            (spec.underline, Modifier::UNDERLINED),
            (spec.dim, Modifier::DIM),
            (spec.reversed, Modifier::REVERSED),
        ] {
            if on {
                style = style.add_modifier(m);
            }
        }
        if !theme.set(role, style) {
            let known: Vec<_> = ROLES.iter().map(|(r, _)| *r).collect();
            return Err(err(
                line_of(src, role),
                format!(
                    "unknown style role {role:?}; roles are {}",
                    known.join(", ")
                ),
            ));
        }
    }
    for (key, value) in &parsed.palette {
        color(value, &parsed.palette, 0)
            .map_err(|m| err(line_of(src, key), format!("[palette] {key}: {m}")))?;
    }
    Ok(theme)
}

/// `$XDG_CONFIG_HOME/lambdascope/themes` (or the platform's config dir).
pub fn user_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::config_dir)
        .map(|d| d.join("lambdascope").join("themes"))
}

/// Loads a theme: the user's file first, then the built-in.
pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(ThemeError {
            file: name.into(),
            line: None,
            message: "not a theme name".into(),
        });
    }
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        if path.is_file() {
            let file = path.display().to_string();
            let src = std::fs::read_to_string(&path).map_err(|e| ThemeError {
                file: file.clone(),
                line: None,
                message: e.to_string(),
            })?;
            return parse(name, &src, &file);
        }
    }
    match BUILTIN.iter().find(|(n, _)| *n == name) {
        Some((n, src)) => parse(n, src, &format!("themes/{n}.toml")),
        None => Err(ThemeError {
            file: format!("{name}.toml"),
            line: None,
            message: format!(
                "no theme named {name:?}; available: {}",
                available(user_dir).join(", ")
            ),
        }),
    }
}

/// Every theme name: built-ins plus the user's.
pub fn available(user_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    if let Some(entries) = user_dir.and_then(|d| std::fs::read_dir(d).ok()) {
        for e in entries.flatten() {
            let p = e.path();
            if let Some(stem) = p
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|_| p.extension().is_some_and(|x| x == "toml"))
            {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
}

impl ColorDepth {
    /// From COLORTERM and TERM, as terminals advertise it.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        if colorterm.is_some_and(|c| c.contains("truecolor") || c.contains("24bit")) {
            return ColorDepth::TrueColor;
        }
        match term {
            Some(t) if t.contains("256") || t.contains("direct") => ColorDepth::Ansi256,
            Some(t) if t.contains("kitty") || t.contains("alacritty") || t.contains("wezterm") => {
                ColorDepth::TrueColor
            }
            _ => ColorDepth::Ansi16,
        }
    }

    pub fn convert(self, c: Color) -> Color {
        let Color::Rgb(r, g, b) = c else { return c };
        match self {
            ColorDepth::TrueColor => c,
            ColorDepth::Ansi256 => Color::Indexed(rgb_to_256(r, g, b)),
            ColorDepth::Ansi16 => rgb_to_16(r, g, b),
        }
    }
}

fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> u8 {
        if v < 48 {
            0
        } else if v < 115 {
            1
        } else {
            ((v - 35) / 40).min(5)
        }
    };
    let (lr, lg, lb) = (level(r), level(g), level(b));
    let steps = [0u8, 95, 135, 175, 215, 255];
    let cube = (steps[lr as usize], steps[lg as usize], steps[lb as usize]);
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let gray_idx = if avg > 238 {
        23
    } else {
        avg.saturating_sub(3) / 10
    } as u8;
    let gray = 8 + 10 * gray_idx;
    let dist = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    if dist((gray, gray, gray)) < dist(cube) {
        232 + gray_idx
    } else {
        16 + 36 * lr + 6 * lg + lb
    }
}

fn rgb_to_16(r: u8, g: u8, b: u8) -> Color {
    const TABLE: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let d = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    TABLE
        .iter()
        .min_by_key(|(_, rgb)| d(*rgb))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

/// Picks the theme for this run: NO_COLOR forces monochrome; a broken theme falls back to the
/// default and reports why.
pub fn resolve(
    requested: &str,
    no_color: bool,
    depth: ColorDepth,
    user_dir: Option<&Path>,
) -> (Theme, Option<ThemeError>) {
    let name = if no_color { "monochrome" } else { requested };
    match load(name, user_dir) {
        Ok(t) => (t.degrade(depth), None),
        Err(e) => (Theme::default_theme().degrade(depth), Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_sets_every_role() {
        for (name, src) in BUILTIN {
            let t = parse(name, src, name).unwrap_or_else(|e| panic!("{e}"));
            for (role, _) in ROLES {
                assert!(
                    line_of(src, role).is_some(),
                    "theme {name} does not set {role}"
                );
            }
            assert_eq!(t.name, *name);
        }
    }

    #[test]
    fn mistakes_name_file_line_and_key() {
        let src = "[palette]\nbg = \"#000000\"\n\n[styles]\nbase = { fg = \"nope\" }\n";
        let e = parse("x", src, "x.toml").unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(
            e.to_string()
                .starts_with("x.toml:5: [styles] base: unknown colour \"nope\""),
            "{e}"
        );

        let e = parse("x", "[styles]\n\"log.eror\" = { fg = \"red\" }\n", "x.toml").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("log.eror"));

        let e = parse(
            "x",
            "[styles]\nbase = { fg = \"red\", blink = true }\n",
            "x.toml",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("blink"), "{e}");

        let e = parse("x", "[palette]\na = \"#12345\"\n", "x.toml").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn degrades_to_256_and_16_colours() {
        assert_eq!(
            ColorDepth::Ansi256.convert(Color::Rgb(255, 0, 0)),
            Color::Indexed(196)
        );
        assert_eq!(
            ColorDepth::Ansi256.convert(Color::Rgb(128, 128, 128)),
            Color::Indexed(244)
        );
        assert_eq!(
            ColorDepth::Ansi16.convert(Color::Rgb(250, 10, 10)),
            Color::LightRed
        );
        assert_eq!(ColorDepth::Ansi16.convert(Color::Blue), Color::Blue);
        assert_eq!(
            ColorDepth::detect(Some("truecolor"), Some("xterm")),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(None, Some("xterm-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(ColorDepth::detect(None, Some("linux")), ColorDepth::Ansi16);
    }

    #[test]
    fn user_theme_overrides_and_broken_one_falls_back() {
        let dir =
            std::env::temp_dir().join(format!("lambdascope-theme-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("dark.toml"), "[styles]\nbase = { fg = \"red\" }\n").unwrap();
        std::fs::write(dir.join("mine.toml"), "[styles]\nbase = { fg = 3 }\n").unwrap();
        let t = load("dark", Some(&dir)).unwrap();
        assert_eq!(t.base.fg, Some(Color::Red));
        assert!(available(Some(&dir)).contains(&"mine".to_string()));
        let (t, e) = resolve("mine", false, ColorDepth::TrueColor, Some(&dir));
        assert_eq!(t.name, "dark");
        let e = e.unwrap();
        assert!(e.file.ends_with("mine.toml") && e.line == Some(2), "{e}");
        let (t, _) = resolve("dark", true, ColorDepth::TrueColor, Some(&dir));
        assert_eq!(t.name, "monochrome");
        std::fs::remove_dir_all(&dir).ok();
    }
}
