//! View snapshots on ratatui's TestBackend: every screen in every state, at 80×24 and 120×40,
//! from the demo account at a fixed clock; plus one colour snapshot per theme.

use crate::common;

use common::{console, fresh, press, source, typed};
use lambdascope::app::catalog::CatalogMsg;
use lambdascope::app::jobs::Request;
use lambdascope::app::router::ScreenKind;
use lambdascope::app::view::render;
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::SourceError;
use lambdascope::screens::dashboard::{DashboardAction, DashboardMsg, DashboardScreen};
use lambdascope::screens::functions::FunctionsAction;
use lambdascope::source::Source;
use lambdascope::ui::theme::{self, Theme};
use ratatui::buffer::Buffer;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn text(buf: &Buffer) -> String {
    common::buffer_text(buf)
}

fn snap(name: &str, state: &State) {
    let buf = render(state, &Theme::default_theme());
    insta::assert_snapshot!(
        format!("{name}_{}x{}", state.ctx.size.0, state.ctx.size.1),
        text(&buf)
    );
}

#[tokio::test]
async fn functions_screen() {
    let s = source();
    for size in SIZES {
        let mut loading = fresh(&s, size);
        lambdascope::app::start(&mut loading);
        snap("functions_loading", &loading);

        let mut empty = fresh(&s, size);
        update(&mut empty, Msg::Catalog(CatalogMsg::List(Ok(vec![]))));
        snap("functions_empty", &empty);

        let mut failed = fresh(&s, size);
        update(
            &mut failed,
            Msg::Catalog(CatalogMsg::List(Err(SourceError::AccessDenied {
                action: "lambda:ListFunctions".into(),
            }))),
        );
        snap("functions_error", &failed);

        let loaded = console(&s, size).await;
        snap("functions_loaded", &loaded);

        let mut filtered = console(&s, size).await;
        press(&s, &mut filtered, &[Action::Filter]).await;
        press(&s, &mut filtered, &typed("pay")).await;
        snap("functions_filtering", &filtered);

        // An AWS account being throttled: the badge and the cost meter in the status bar.
        let mut throttled = console(&s, size).await;
        throttled.ctx.health = lambdascope::domain::SourceHealth {
            throttled: Some("throttled: GetMetricData, retrying in 4 s".into()),
            calls: 42,
            estimated_usd: 0.0123,
            usage: vec![],
        };
        snap("functions_throttled", &throttled);

        // GetMetricData denied: the list still shows, the cells say n/a, the status names the action.
        let mut denied = fresh(&s, size);
        let fns = s.list_functions().await.expect("functions");
        let cmds = update(&mut denied, Msg::Catalog(CatalogMsg::List(Ok(fns))));
        for cmd in cmds {
            let Cmd::Job(job) = cmd else {
                continue;
            };
            let denial = SourceError::AccessDenied {
                action: "cloudwatch:GetMetricData".into(),
            };
            let msg = match job.request {
                Request::Metrics(_, reply) => reply(Err(denial)),
                Request::MetricSets(_, reply) => reply(Err(denial)),
                _ => continue,
            };
            update(&mut denied, msg);
        }
        snap("functions_metrics_denied", &denied);

        // An endpoint without percentiles: the cells say n/a and the reason is under the table.
        let mut no_pct = console(&s, size).await;
        for st in no_pct.ctx.catalog.stats.values_mut() {
            st.p95_ms = lambdascope::domain::Cell::Unavailable(
                "p95 not available here: InternalFailure (HTTP 500)".into(),
            );
        }
        let text_of = text(&render(&no_pct, &Theme::default_theme()));
        assert!(
            text_of.contains("n/a P95: p95 not available here"),
            "{text_of}"
        );
        snap("functions_percentiles_unavailable", &no_pct);

        let mut nothing = console(&s, size).await;
        press(&s, &mut nothing, &[Action::Filter]).await;
        press(&s, &mut nothing, &typed("zzz")).await;
        snap("functions_filter_no_match", &nothing);
    }
}

async fn open(s: &Source, size: (u16, u16), name: &str) -> State {
    let mut st = console(s, size).await;
    press(s, &mut st, &[Action::Filter]).await;
    press(s, &mut st, &typed(name)).await;
    press(s, &mut st, &[Action::InputSubmit, Action::Enter]).await;
    assert_eq!(st.screen(), ScreenKind::Dashboard);
    st
}

#[tokio::test]
async fn dashboard_screen() {
    let s = source();
    for size in SIZES {
        let mut loading = console(&s, size).await;
        update(&mut loading, Msg::Action(Action::Enter));
        snap("dashboard_loading", &loading);

        let loaded = open(&s, size, "orders-api-create").await;
        snap("dashboard_loaded", &loaded);

        // No traffic in the window: the charts say so instead of drawing nothing.
        let empty = open(&s, size, "reports-nightly").await;
        snap("dashboard_empty", &empty);

        let mut failed = console(&s, size).await;
        update(&mut failed, Msg::Action(Action::Enter));
        let d = failed.screen_of::<DashboardScreen>().unwrap();
        let (id, plan, window) = (d.id, d.plan.unwrap(), d.plan.unwrap().window);
        update(
            &mut failed,
            Msg::to(
                id,
                DashboardMsg::Config(Err(SourceError::NotFound("function search-indexer".into()))),
            ),
        );
        update(
            &mut failed,
            Msg::to(
                id,
                DashboardMsg::Charts {
                    plan,
                    result: Err(SourceError::Throttled {
                        api: "GetMetricData".into(),
                        tries: 6,
                    }),
                },
            ),
        );
        update(
            &mut failed,
            Msg::to(
                id,
                DashboardMsg::ColdStarts {
                    window,
                    result: Err(SourceError::AccessDenied {
                        action: "logs:StartQuery".into(),
                    }),
                },
            ),
        );
        snap("dashboard_error", &failed);

        // The cursor: every chart's title shows the values under it.
        let mut cursor = open(&s, size, "orders-api-create").await;
        let back = vec![Action::Left; 12];
        press(&s, &mut cursor, &[Action::Right]).await;
        press(&s, &mut cursor, &back).await;
        snap("dashboard_cursor", &cursor);

        // Marking: the start is set, the cursor moved on; the span is shaded.
        let mut marking = open(&s, size, "orders-api-create").await;
        press(&s, &mut marking, &[Action::Right]).await;
        press(&s, &mut marking, &back).await;
        press(&s, &mut marking, &[DashboardAction::Mark.into()]).await;
        press(&s, &mut marking, &[Action::Right; 6]).await;
        snap("dashboard_marking", &marking);

        // The incident window selected from the errors spike: the charts zoom in, the
        // header shows it.
        let mut incident = open(&s, size, "orders-api-create").await;
        press(
            &s,
            &mut incident,
            &[Action::Down, DashboardAction::SelectSpike.into()],
        )
        .await;
        snap("dashboard_incident", &incident);

        let mut cold = open(&s, size, "orders-api-create").await;
        press(&s, &mut cold, &[Action::NextPanel]).await;
        snap("dashboard_cold_starts", &cold);

        // SnapStart restores, counted as cold starts.
        let mut restores = open(&s, size, "pdf-invoice").await;
        press(
            &s,
            &mut restores,
            &[Action::WindowWider, Action::WindowWider],
        )
        .await;
        press(&s, &mut restores, &[Action::NextPanel]).await;
        snap("dashboard_cold_starts_snapstart_12h", &restores);

        let mut config = open(&s, size, "search-indexer").await;
        press(&s, &mut config, &[Action::NextPanel, Action::NextPanel]).await;
        snap("dashboard_config_panel", &config);

        // ASCII markers for terminals without braille.
        let mut ascii = open(&s, size, "search-indexer").await;
        ascii.ctx.ascii = true;
        snap("dashboard_ascii", &ascii);
    }
}

#[tokio::test]
async fn overview_screen() {
    let s = source();
    for size in SIZES {
        let mut loading = console(&s, size).await;
        update(&mut loading, Msg::Action(FunctionsAction::Overview.into()));
        snap("overview_loading", &loading);

        let mut loaded = console(&s, size).await;
        press(&s, &mut loaded, &[FunctionsAction::Overview.into()]).await;
        snap("overview_loaded", &loaded);

        // An endpoint without GetAccountSettings (moto) and metrics refused: n/a with reasons.
        let mut failed = console(&s, size).await;
        let cmds = update(&mut failed, Msg::Action(FunctionsAction::Overview.into()));
        for cmd in cmds {
            let Cmd::Job(job) = cmd else { continue };
            let msg = match job.request {
                Request::AccountSettings(reply) => reply(Err(SourceError::NotFound(
                    "GetAccountSettings (HTTP 404)".into(),
                ))),
                Request::MetricSets(_, reply) => reply(Err(SourceError::AccessDenied {
                    action: "cloudwatch:GetMetricData".into(),
                })),
                Request::Metrics(_, reply) => reply(Err(SourceError::AccessDenied {
                    action: "cloudwatch:GetMetricData".into(),
                })),
                _ => continue,
            };
            update(&mut failed, msg);
        }
        snap("overview_error", &failed);
    }
}

#[tokio::test]
async fn overlays() {
    let s = source();
    for size in SIZES {
        let mut help = console(&s, size).await;
        press(&s, &mut help, &[Action::Help]).await;
        snap("help", &help);

        let mut palette = console(&s, size).await;
        press(&s, &mut palette, &[Action::Palette]).await;
        press(&s, &mut palette, &typed("th")).await;
        snap("palette", &palette);

        let mut usage = console(&s, size).await;
        press(&s, &mut usage, &[Action::Palette]).await;
        press(&s, &mut usage, &typed("usage")).await;
        press(&s, &mut usage, &[Action::InputSubmit]).await;
        snap("usage", &usage);
    }
}

/// Buffer's Debug output carries every cell's style: one snapshot per theme.
#[tokio::test]
async fn colour_per_theme() {
    let s = source();
    let state = console(&s, (80, 24)).await;
    for (name, _) in theme::BUILTIN {
        let t = theme::load(name, None).expect("built-in theme");
        insta::assert_debug_snapshot!(format!("colour_{name}"), render(&state, &t));
    }
}

#[tokio::test]
async fn tiny_and_huge_terminals_never_panic() {
    let s = source();
    let mut state = console(&s, (300, 80)).await;
    for size in [(1, 1), (2, 1), (10, 3), (20, 5), (40, 10), (300, 80)] {
        update(&mut state, Msg::Resize(size.0, size.1));
        for screen_keys in [
            &[][..],
            &[Action::Enter][..],
            &[Action::Right, Action::NextPanel][..],
            &[Action::NextPanel][..],
            &[Action::Help][..],
            &[Action::Back, Action::Back][..],
        ] {
            press(&s, &mut state, screen_keys).await;
            let buf = render(&state, &Theme::default_theme());
            assert_eq!(buf.area.width, size.0);
        }
    }
    let buf = render(&state, &Theme::default_theme());
    assert!(
        text(&buf).contains("orders-api-create"),
        "300×80 shows the table"
    );
}

/// Every screen of the registry has snapshots at both sizes, named after it (`logs_…_80x24`).
#[test]
fn every_screen_has_snapshots_at_both_sizes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui/snapshots");
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("the snapshot directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| Some(f.strip_suffix(".snap")?.rsplit("__").next()?.to_owned()))
        .collect();
    for &screen in ScreenKind::ALL {
        let prefix = format!("{screen:?}_").to_lowercase();
        for (w, h) in SIZES {
            let suffix = format!("_{w}x{h}");
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&prefix) && n.ends_with(&suffix)),
                "no snapshot of {screen:?} at {w}×{h} in {dir}"
            );
        }
    }
}
