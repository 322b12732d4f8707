//! One trace's waterfall, with the detail pane of the selected span below it (beside it on a
//! wide terminal), or the comparison with a warm trace.
//!
//! ```text
//!  1-6745a1b2-… · POST /prod/orders · 502 · 1.24s · cold start · fault · 14:02:11 UTC · 10 spans
//!    SPAN                          KIND      DURATION     SELF STATUS 0        620ms      1.24s
//!  ● ▾ shop-api/prod               API GW       1.24s    3.0ms    502 ████████████████████████
//!  ● └▾ Lambda Invoke orders-api…  AWS          1.23s    1.2ms    200 ▕███████████████████████
//!  ● ...
//! ┌ DynamoDB UpdateItem inventory ─────────────────────────────────────────────────────────────┐
//! │ start +312.40ms · duration 180.20ms · self 180.20ms · on the critical path                 │
//! │ throttled · error · HTTP 400 · 2 retries                                                   │
//! │ cause ProvisionedThroughputExceededException: The level of configured provisioned …        │
//! └────────────────────────────────────────────────────────────────────────────────────────────┘
//! ```
//! `●` marks the critical path: the chain of spans that set the end-to-end time.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span as TextSpan};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::compare::{CompareStatus, Comparison};
use super::{Pane, WaterfallScreen};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{EpochUs, Span, SpanKind, Waterfall};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::waterfall::{axis, bar, guides, label, micros, status};
use crate::ui::widgets::{centered, centered_wrapped, put, spinner};

pub struct WaterfallView<'a> {
    pub screen: &'a WaterfallScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// Widths of the fixed columns.
const KIND: u16 = 8;
const NUM: u16 = 8;
const STATUS: u16 = 6;

/// Where the columns of a row go in `width` cells.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub name: u16,
    pub bar: u16,
}

impl Columns {
    /// Names get what they need (`name`) up to three fifths of what is left; bars the rest.
    pub fn fit(width: u16, name: u16) -> Columns {
        let fixed = 2 + 1 + KIND + 1 + NUM + 1 + NUM + 1 + STATUS + 1;
        let rest = width.saturating_sub(fixed);
        let name = name.max(24).min(rest * 3 / 5);
        Columns {
            name,
            bar: rest - name,
        }
    }
}

/// The style of a span's bar: what went wrong first, then what it is.
fn bar_style(s: &Span, t: &Theme) -> Style {
    if s.seg.fault {
        t.waterfall_fault
    } else if s.seg.throttle {
        t.waterfall_throttle
    } else if s.seg.error {
        t.waterfall_error
    } else if s.kind == SpanKind::ColdStart {
        t.waterfall_cold
    } else if s.seg.inferred {
        t.waterfall_inferred
    } else {
        t.waterfall_ok
    }
}

/// Draws one span's row at `y`: marker, tree and name, kind, duration, self-time, status, bar.
#[allow(clippy::too_many_arguments)]
fn row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    cols: Columns,
    w: &Waterfall,
    i: usize,
    folded: bool,
    scale: (EpochUs, EpochUs),
    extra: Option<(String, Style)>,
    selected: bool,
    t: &Theme,
) {
    let s = &w.spans[i];
    let line = if selected { t.selected } else { t.base };
    buf.set_style(
        Rect {
            y,
            height: 1,
            ..area
        },
        line,
    );
    let on = |st: Style| {
        if selected {
            line.patch(st).bg(line.bg.unwrap_or_default())
        } else {
            st
        }
    };
    let mut x = area.x;
    if s.on_critical_path() {
        buf.set_string(x, y, "●", on(t.waterfall_critical));
    }
    x += 2;
    let name = format!("{}{}", guides(w, i, folded), format::safe(&label(w, i)));
    let name_style = if s.kind == SpanKind::ColdStart {
        t.waterfall_cold
    } else if s.seg.failed() {
        bar_style(s, t)
    } else {
        t.base
    };
    put(buf, x, y, cols.name, &name, on(name_style), false);
    x += cols.name + 1;
    put(buf, x, y, KIND, s.kind.label(), on(t.dim), false);
    x += KIND + 1;
    let dur = if s.seg.in_progress {
        "running".to_string()
    } else {
        micros(s.duration_us())
    };
    put(buf, x, y, NUM, &dur, on(t.base), true);
    x += NUM + 1;
    let self_style = if s.on_critical_path() {
        t.waterfall_critical
    } else {
        t.dim
    };
    put(buf, x, y, NUM, &micros(s.self_us), on(self_style), true);
    x += NUM + 1;
    let (text, style) = match extra {
        Some(e) => e,
        None => (status(w, i), bar_style(s, t)),
    };
    put(buf, x, y, STATUS, &text, on(style), true);
    x += STATUS + 1;
    let (t0, t1) = scale;
    let rel = |u: EpochUs| u - w.t0 + t0;
    let (from, to) = bar(rel(s.seg.start), rel(s.end), t0, t1, cols.bar as usize);
    let glyph = if s.seg.in_progress { "▒" } else { "█" };
    let bar_text = glyph.repeat(to - from);
    buf.set_stringn(
        x + from as u16,
        y,
        bar_text,
        (to - from).min(cols.bar as usize),
        on(bar_style(s, t)),
    );
}

fn header(buf: &mut Buffer, area: Rect, y: u16, cols: Columns, span_us: EpochUs, t: &Theme) {
    let mut x = area.x + 2;
    put(buf, x, y, cols.name, "SPAN", t.table_header, false);
    x += cols.name + 1;
    put(buf, x, y, KIND, "KIND", t.table_header, false);
    x += KIND + 1;
    put(buf, x, y, NUM, "DURATION", t.table_header, true);
    x += NUM + 1;
    put(buf, x, y, NUM, "SELF", t.table_header, true);
    x += NUM + 1;
    put(buf, x, y, STATUS, "STATUS", t.table_header, true);
    x += STATUS + 1;
    buf.set_stringn(
        x,
        y,
        axis(cols.bar as usize, span_us),
        cols.bar as usize,
        t.chart_axis,
    );
}

/// The line about the whole trace.
fn summary(w: &Waterfall, t: &Theme) -> Line<'static> {
    let root = w.spans.iter().find(|s| s.parent.is_none());
    let mut spans = vec![TextSpan::styled(
        format!(" {} ", format::safe(&w.id)),
        t.title,
    )];
    let mut add = |text: String, style: Style| {
        spans.push(TextSpan::styled("· ", t.dim));
        spans.push(TextSpan::styled(text, style));
        spans.push(TextSpan::raw(" "));
    };
    if let Some(r) = root {
        if let Some(m) = &r.seg.http.method {
            let url = r
                .seg
                .http
                .url
                .as_deref()
                .map(crate::domain::url_path)
                .unwrap_or("");
            add(format::safe(&format!("{m} {url}")).into_owned(), t.base);
        }
        if let Some(st) = r.seg.http.status {
            add(
                st.to_string(),
                if st >= 500 {
                    t.waterfall_fault
                } else if st >= 400 {
                    t.waterfall_error
                } else {
                    t.base
                },
            );
        }
    }
    add(micros(w.span_us()), t.base);
    if w.spans.iter().any(|s| s.kind == SpanKind::ColdStart) {
        add("cold start".into(), t.waterfall_cold);
    }
    let faults = w.spans.iter().filter(|s| s.seg.fault).count();
    if faults > 0 {
        add("fault".into(), t.waterfall_fault);
    }
    if w.spans.iter().any(|s| s.seg.throttle) {
        add("throttled".into(), t.waterfall_throttle);
    }
    if w.spans.iter().any(|s| s.seg.in_progress) {
        add("in progress".into(), t.warn);
    }
    add(format::clock(w.t0.div_euclid(1000)), t.dim);
    add(format!("{} spans", w.spans.len()), t.dim);
    if w.limit_exceeded {
        add("X-Ray truncated this trace".into(), t.warn);
    }
    Line::from(spans)
}

/// The detail pane's lines for span `i`.
pub fn detail(w: &Waterfall, i: usize, t: &Theme) -> Vec<Line<'static>> {
    let s = &w.spans[i];
    let seg = &s.seg;
    let safe = |x: &str| format::safe(x).into_owned();
    let mut lines = Vec::new();
    let field = |k: &str, v: String, style: Style| {
        Line::from(vec![
            TextSpan::styled(format!("{k:<12}"), t.dim),
            TextSpan::styled(v, style),
        ])
    };
    let mut timing = format!(
        "start +{} · duration {} · self {}",
        micros(seg.start - w.t0),
        if seg.in_progress {
            "in progress".into()
        } else {
            micros(s.duration_us())
        },
        micros(s.self_us)
    );
    match s.critical_us {
        Some(0) => timing.push_str(" · on the critical path"),
        Some(c) => timing.push_str(&format!(" · {} of it on the critical path", micros(c))),
        None => {}
    }
    lines.push(field("time", timing, t.base));
    let mut what = vec![s.kind.label().to_string()];
    if let Some(o) = &seg.origin {
        what.push(safe(o));
    }
    if let Some(n) = &seg.namespace {
        what.push(format!("namespace {}", safe(n)));
    }
    if seg.inferred {
        what.push("inferred by X-Ray".into());
    }
    lines.push(field("kind", what.join(" · "), t.base));
    let mut outcome = Vec::new();
    if seg.fault {
        outcome.push(("fault".to_string(), t.waterfall_fault));
    }
    if seg.throttle {
        outcome.push(("throttled".to_string(), t.waterfall_throttle));
    }
    if seg.error {
        outcome.push(("error".to_string(), t.waterfall_error));
    }
    if s.kind == SpanKind::ColdStart {
        outcome.push(("cold start".to_string(), t.waterfall_cold));
    }
    if let Some(r) = seg.retries.filter(|r| *r > 0) {
        let what = if r == 1 { "retry" } else { "retries" };
        outcome.push((format!("{r} {what}"), t.warn));
    }
    if s.skewed {
        outcome.push(("outside its parent's time (clock skew)".into(), t.warn));
    }
    if s.orphan {
        outcome.push((
            format!(
                "orphan: parent {} is missing",
                safe(seg.parent_id.as_deref().unwrap_or("?"))
            ),
            t.warn,
        ));
    }
    if !outcome.is_empty() {
        let mut parts = vec![TextSpan::styled(format!("{:<12}", "outcome"), t.dim)];
        for (n, (text, style)) in outcome.into_iter().enumerate() {
            if n > 0 {
                parts.push(TextSpan::styled(" · ", t.dim));
            }
            parts.push(TextSpan::styled(text, style));
        }
        lines.push(Line::from(parts));
    }
    // Why it failed comes first: it is what the pane is opened for.
    if let Some(c) = &seg.cause {
        if let Some(r) = &c.reference {
            lines.push(field(
                "cause",
                format!("exception {} (recorded in a subsegment)", safe(r)),
                t.error,
            ));
        }
        for (n, e) in c.exceptions.iter().enumerate() {
            let head = format!(
                "{}{}{}",
                safe(e.kind.as_deref().unwrap_or("exception")),
                e.message
                    .as_deref()
                    .map(|m| format!(": {}", safe(m)))
                    .unwrap_or_default(),
                if e.remote { " (remote)" } else { "" }
            );
            lines.push(field(if n == 0 { "cause" } else { "" }, head, t.error));
            for f in &e.stack {
                let at = format!(
                    "  at {} ({}{})",
                    safe(f.label.as_deref().unwrap_or("?")),
                    safe(f.path.as_deref().unwrap_or("?")),
                    f.line.map(|l| format!(":{l}")).unwrap_or_default()
                );
                lines.push(field("", at, t.dim));
            }
            if e.truncated + e.skipped > 0 {
                lines.push(field(
                    "",
                    format!("  … {} more frames", e.truncated + e.skipped),
                    t.dim,
                ));
            }
        }
    }
    let h = &seg.http;
    if !h.is_empty() {
        let mut req = Vec::new();
        if let Some(m) = &h.method {
            req.push(safe(m));
        }
        if let Some(u) = &h.url {
            req.push(safe(u));
        }
        let mut resp = String::new();
        if let Some(st) = h.status {
            resp = format!("→ {st}");
        }
        if let Some(n) = h.content_length {
            resp.push_str(&format!(" · {n} B"));
        }
        lines.push(field("http", format!("{} {resp}", req.join(" ")), t.base));
        let mut who = Vec::new();
        if let Some(ip) = &h.client_ip {
            who.push(format!("client {}", safe(ip)));
        }
        if let Some(ua) = &h.user_agent {
            who.push(safe(ua));
        }
        if !who.is_empty() {
            lines.push(field("", who.join(" · "), t.dim));
        }
    }
    for (n, (k, v)) in seg.aws.iter().enumerate() {
        lines.push(field(
            if n == 0 { "aws" } else { "" },
            format!("{} = {}", safe(k), safe(v)),
            t.base,
        ));
    }
    for (n, (k, v)) in seg.annotations.iter().enumerate() {
        lines.push(field(
            if n == 0 { "annotations" } else { "" },
            format!("{} = {}", safe(k), safe(&v.to_string())),
            t.base,
        ));
    }
    if let Some(m) = &seg.metadata {
        lines.push(field("metadata", String::new(), t.base));
        let pretty = serde_json::to_string_pretty(m).unwrap_or_default();
        for l in pretty.lines() {
            lines.push(Line::styled(format!("  {}", safe(l)), t.base));
        }
    }
    let mut ids = vec![format!("id {}", safe(&seg.id))];
    if let Some(r) = &seg.request_id {
        ids.push(format!("request {}", safe(r)));
    }
    if let Some(a) = &seg.resource_arn {
        ids.push(safe(a));
    }
    lines.push(field("ids", ids.join(" · "), t.dim));
    lines
}

/// The tree and the detail pane: beside it on a wide terminal, below it otherwise, left out
/// when there is no room.
pub fn split(body: Rect) -> (Rect, Option<Rect>) {
    if body.width >= 170 {
        let detail_w = body.width / 3;
        let tree = Rect {
            width: body.width - detail_w,
            ..body
        };
        let pane = Rect {
            x: tree.right(),
            width: detail_w,
            ..body
        };
        (tree, Some(pane))
    } else if body.height >= 14 {
        let detail_h = (body.height * 2 / 5).max(6);
        let tree = Rect {
            height: body.height - detail_h,
            ..body
        };
        let pane = Rect {
            y: tree.bottom(),
            height: detail_h,
            ..body
        };
        (tree, Some(pane))
    } else {
        (body, None)
    }
}

/// Span rows the tree shows at this terminal size (the frame takes three lines, the summary
/// and the column titles one each).
pub fn tree_rows(ctx: &Ctx) -> usize {
    let body = Rect::new(0, 0, ctx.size.0, ctx.size.1.saturating_sub(4));
    (split(body).0.height.saturating_sub(1) as usize).max(1)
}

impl WaterfallView<'_> {
    fn tree(&self, area: Rect, buf: &mut Buffer, w: &Waterfall) {
        let (s, t) = (self.screen, self.theme);
        let cols = Columns::fit(area.width, s.name_width);
        header(buf, area, area.y, cols, w.span_us(), t);
        let height = area.height.saturating_sub(1) as usize;
        // `update` keeps the selection in view; this only guards a frame drawn before it ran.
        let offset = if s.selected < s.offset || s.selected >= s.offset + height {
            s.selected.saturating_sub(height.saturating_sub(1))
        } else {
            s.offset
        };
        for (n, &i) in s.visible.iter().skip(offset).take(height).enumerate() {
            let y = area.y + 1 + n as u16;
            let folded = s.folded.get(i).copied().unwrap_or(false);
            row(
                buf,
                area,
                y,
                cols,
                w,
                i,
                folded,
                (w.t0, w.t1),
                None,
                offset + n == s.selected && s.pane == Pane::Tree,
                t,
            );
        }
        if s.visible.len() > height {
            let text = format!(" {}/{} ", s.selected + 1, s.visible.len());
            let x = area.right().saturating_sub(text.chars().count() as u16);
            buf.set_string(x, area.y, text, t.dim);
        }
    }

    fn detail_pane(&self, area: Rect, buf: &mut Buffer, w: &Waterfall) {
        let (s, t) = (self.screen, self.theme);
        let Some(i) = s.span() else { return };
        let focused = s.pane == Pane::Detail;
        let title = format!(" {} ", format::safe(&label(w, i)));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused { t.title } else { t.border })
            .title(TextSpan::styled(title, t.title))
            .title_bottom(TextSpan::styled(
                if focused {
                    " j/k scroll · tab back "
                } else {
                    " tab to scroll "
                },
                t.dim,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        let lines = detail(w, i, t);
        let scroll = s.detail_scroll.min(lines.len().saturating_sub(1));
        // Long values (a cause, a URL) wrap rather than vanish at the border.
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .render(inner, buf);
    }

    fn comparison(
        &self,
        area: Rect,
        buf: &mut Buffer,
        w: &Waterfall,
        c: &Comparison,
        scroll: usize,
    ) {
        let t = self.theme;
        let cols = Columns::fit(area.width, self.screen.name_width);
        let b = &c.other;
        let span = w.span_us().max(b.span_us());
        let diff = |d: EpochUs| {
            if d == 0 {
                ("=".to_string(), t.dim)
            } else if d > 0 {
                (format!("+{}", micros(d)), t.warn)
            } else {
                (format!("-{}", micros(-d)), t.ok)
            }
        };
        // Lines: the headline, this trace, the other, each with its spans.
        enum L<'a> {
            Text(Line<'a>),
            Span(&'a Waterfall, usize, Option<(String, Style)>),
        }
        let mut lines: Vec<L> = Vec::new();
        let total = w.span_us() - b.span_us();
        let mut head = vec![TextSpan::styled(
            format!(
                " {} {} end to end than a warm trace",
                micros(total.abs()),
                if total >= 0 { "slower" } else { "faster" }
            ),
            t.title,
        )];
        for (n, (i, d, only)) in c.biggest(w, 3).into_iter().enumerate() {
            head.push(TextSpan::styled(if n == 0 { ": " } else { " · " }, t.dim));
            let what = format::safe(&w.spans[i].seg.label()).into_owned();
            head.push(TextSpan::styled(
                if only {
                    format!("{what} {} (only here)", micros(d))
                } else {
                    format!(
                        "{what} {}{}",
                        if d > 0 { "+" } else { "-" },
                        micros(d.abs())
                    )
                },
                if w.spans[i].kind == SpanKind::ColdStart {
                    t.waterfall_cold
                } else {
                    t.base
                },
            ));
        }
        lines.push(L::Text(Line::from(head)));
        lines.push(L::Text(Line::styled(
            format!(
                " this trace · {} · {}",
                format::safe(&w.id),
                micros(w.span_us())
            ),
            t.table_header,
        )));
        for (i, d) in c.diffs.iter().enumerate() {
            let extra = match d {
                Some(d) => diff(*d),
                None => ("only".to_string(), t.waterfall_cold),
            };
            lines.push(L::Span(w, i, Some(extra)));
        }
        lines.push(L::Text(Line::styled(
            format!(
                " warm trace · {} · {}",
                format::safe(&b.id),
                micros(b.span_us())
            ),
            t.table_header,
        )));
        for (i, m) in c.matched.iter().enumerate() {
            let extra = (
                if *m {
                    String::new()
                } else {
                    "only".to_string()
                },
                t.dim,
            );
            lines.push(L::Span(b, i, Some(extra)));
        }
        header(buf, area, area.y, cols, span, t);
        let height = area.height.saturating_sub(1) as usize;
        let scroll = scroll.min(lines.len().saturating_sub(height));
        for (n, l) in lines.iter().skip(scroll).take(height).enumerate() {
            let y = area.y + 1 + n as u16;
            match l {
                L::Text(line) => {
                    buf.set_line(area.x, y, line, area.width);
                }
                L::Span(wf, i, extra) => row(
                    buf,
                    area,
                    y,
                    cols,
                    wf,
                    *i,
                    false,
                    (0, span),
                    extra.clone(),
                    false,
                    t,
                ),
            }
        }
    }
}

impl Widget for WaterfallView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let w = match &s.trace {
            Loadable::Idle | Loadable::Loading => {
                let text = format!(
                    "{} Loading trace {}…",
                    spinner(ctx.frame),
                    format::safe(&s.trace_id)
                );
                return centered(text, t.spinner, area, buf);
            }
            Loadable::Failed(e) => {
                return centered_wrapped(
                    format::safe(&format!("Could not load the trace: {e}")).into_owned(),
                    t.error,
                    area,
                    buf,
                );
            }
            Loadable::Loaded(w) => w,
        };
        buf.set_line(area.x, area.y, &summary(w, t), area.width);
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        if body.height == 0 {
            return;
        }
        if let Some(c) = &s.compare {
            match &c.status {
                CompareStatus::Found(found) => self.comparison(body, buf, w, found, c.scroll),
                CompareStatus::Searching => centered(
                    format!(
                        "{} Looking for a warm trace of {}…",
                        spinner(ctx.frame),
                        format::safe(&c.route)
                    ),
                    t.spinner,
                    body,
                    buf,
                ),
                CompareStatus::NotFound(why) => centered_wrapped(
                    format!("Nothing to compare with: {} · w closes", format::safe(why)),
                    t.dim,
                    body,
                    buf,
                ),
                CompareStatus::Failed(e) => centered_wrapped(
                    format::safe(&format!("Could not look for a warm trace: {e} · w closes"))
                        .into_owned(),
                    t.error,
                    body,
                    buf,
                ),
            }
            return;
        }
        let (tree, pane) = split(body);
        self.tree(tree, buf, w);
        if let Some(pane) = pane {
            self.detail_pane(pane, buf, w);
        }
    }
}
