//! The waterfall's budgets (issue 9): building and laying out a 5,000-span trace ≤ 5 ms, and
//! drawing the waterfall frame ≤ 2 ms. Run: `cargo bench --bench traces`.
//!
//! The trace is shaped like a busy real one: API Gateway → Lambda → function → Invocation,
//! which fans out to batches of DynamoDB calls (each with the table X-Ray infers, sent as a
//! document of its own) and HTTP calls with nested work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use lambdascope::app::{self, Msg, State};
use lambdascope::domain::{Trace, Waterfall};
use lambdascope::parse::xray::assemble;
use lambdascope::screens::waterfall::{WaterfallMsg, WaterfallScreen};
use lambdascope::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TRACE_ID: &str = "1-5759e988-bd862e3fe1be46a994272793";

/// Segment documents of a trace with exactly `spans` segments and subsegments.
pub fn documents(spans: usize) -> Vec<String> {
    let t0 = 1.795_442_4e9;
    let id = |n: usize| format!("{n:016x}");
    let mut docs = Vec::new();
    let mut calls = Vec::new();
    // 6 spans of frame: stage (+ its Lambda subsegment), Lambda, function, Invocation, Overhead.
    let mut n = 10;
    let budget = spans - 6;
    let mut used = 0;
    while used < budget {
        let start = t0 + 0.01 + used as f64 * 1e-4;
        if used % 3 == 0 && used + 2 <= budget {
            // A DynamoDB call and the table X-Ray infers, in a document of its own.
            calls.push(format!(
                r#"{{"id":"{}","name":"DynamoDB","namespace":"aws","start_time":{start},"end_time":{},"http":{{"response":{{"status":200}}}},"aws":{{"operation":"GetItem","table_name":"orders","retries":0,"request_id":"R{n}"}}}}"#,
                id(n),
                start + 8e-5
            ));
            docs.push(format!(
                r#"{{"id":"{}","trace_id":"{TRACE_ID}","parent_id":"{}","name":"orders","origin":"AWS::DynamoDB::Table","inferred":true,"start_time":{start},"end_time":{}}}"#,
                id(n + 1),
                id(n),
                start + 8e-5
            ));
            used += 2;
            n += 2;
        } else {
            calls.push(format!(
                r#"{{"id":"{}","name":"api.stripe.com","namespace":"remote","start_time":{start},"end_time":{},"http":{{"request":{{"method":"POST","url":"https://api.stripe.com/v1/charges"}},"response":{{"status":200}}}}}}"#,
                id(n),
                start + 5e-5
            ));
            used += 1;
            n += 1;
        }
    }
    let end = t0 + 0.02 + budget as f64 * 1e-4;
    docs.push(format!(
        r#"{{"id":"{}","trace_id":"{TRACE_ID}","name":"shop-api/prod","origin":"AWS::ApiGateway::Stage","start_time":{t0},"end_time":{},"http":{{"request":{{"method":"POST","url":"https://api.shop.example.com/prod/orders"}},"response":{{"status":200}}}},"subsegments":[{{"id":"{}","name":"Lambda","namespace":"aws","start_time":{t0},"end_time":{},"aws":{{"operation":"Invoke"}}}}]}}"#,
        id(1),
        end + 0.003,
        id(2),
        end + 0.002
    ));
    docs.push(format!(
        r#"{{"id":"{}","trace_id":"{TRACE_ID}","parent_id":"{}","name":"orders-api-create","origin":"AWS::Lambda","start_time":{t0},"end_time":{},"aws":{{"request_id":"4f1c-…"}}}}"#,
        id(3),
        id(2),
        end + 0.001
    ));
    docs.push(format!(
        r#"{{"id":"{}","trace_id":"{TRACE_ID}","parent_id":"{}","name":"orders-api-create","origin":"AWS::Lambda::Function","start_time":{t0},"end_time":{end},"subsegments":[{{"id":"{}","name":"Invocation","start_time":{},"end_time":{},"subsegments":[{}]}},{{"id":"{}","name":"Overhead","start_time":{},"end_time":{end}}}]}}"#,
        id(4),
        id(3),
        id(5),
        t0 + 0.005,
        end - 0.001,
        calls.join(","),
        id(6),
        end - 0.001
    ));
    docs
}

fn build(docs: &[String]) -> Waterfall {
    let roots = assemble(docs.iter().map(String::as_str));
    Waterfall::new(Trace {
        id: TRACE_ID.into(),
        duration_ms: 0.0,
        roots,
        limit_exceeded: false,
    })
}

/// From the documents BatchGetTraces returns to a waterfall: parse, link, lay out, self-times
/// and the critical path.
fn build_and_layout(c: &mut Criterion) {
    let docs = documents(5000);
    let w = build(&docs);
    assert_eq!(w.spans.len(), 5000, "the trace has 5,000 spans");
    c.bench_function("build_and_layout_5000_spans", |b| {
        b.iter(|| build(std::hint::black_box(&docs)))
    });
    let roots = assemble(docs.iter().map(String::as_str));
    // The segments as the source hands them over; cloning them is setup, not layout.
    c.bench_function("layout_only_5000_spans", |b| {
        b.iter_batched(
            || roots.clone(),
            |roots| {
                Waterfall::new(Trace {
                    id: TRACE_ID.into(),
                    duration_ms: 0.0,
                    roots,
                    limit_exceeded: false,
                })
            },
            criterion::BatchSize::LargeInput,
        )
    });
    c.bench_function("parse_and_link_5000_span_documents", |b| {
        b.iter(|| assemble(std::hint::black_box(&docs).iter().map(String::as_str)))
    });
}

/// One frame of the waterfall screen on the 5,000-span trace, scrolled to its middle, with
/// the detail pane.
fn draw_frame(c: &mut Criterion) {
    let theme = Theme::default_theme();
    let docs = documents(5000);
    let roots = assemble(docs.iter().map(String::as_str));
    for (w, h) in [(200u16, 50u16), (80, 24)] {
        let source = lambdascope::source::Source::Demo(lambdascope::source::demo::DemoSource::new(
            42,
            lambdascope::source::demo::Clock::Fixed(1_795_442_400_000),
        ));
        let mut state = State::new(source.info(), source.now(), "dark", vec![]);
        state.ctx.size = (w, h);
        app::update(&mut state, Msg::Action(app::Action::Palette));
        for ch in format!("trace {TRACE_ID}").chars() {
            app::update(&mut state, Msg::Action(app::Action::Input(ch)));
        }
        app::update(&mut state, Msg::Action(app::Action::InputSubmit));
        let id = state.stack.last().expect("the waterfall").0;
        let trace = Trace {
            id: TRACE_ID.into(),
            duration_ms: 0.0,
            roots: roots.clone(),
            limit_exceeded: false,
        };
        app::update(
            &mut state,
            Msg::to(id, WaterfallMsg::Trace(Ok(vec![trace]))),
        );
        for _ in 0..2500 {
            app::update(&mut state, Msg::Action(app::Action::Down));
        }
        assert_eq!(
            state.screen_of::<WaterfallScreen>().map(|s| s.selected),
            Some(2500)
        );
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("backend");
        c.bench_function(&format!("draw_waterfall_5000_spans_{w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| app::view::draw(f, &state, &theme))
                    .expect("draw");
            })
        });
    }
}

criterion_group!(benches, build_and_layout, draw_frame);
criterion_main!(benches);
