//! The demo account honours the Source contract (the AWS backend runs the same suite against
//! the emulator in aws_emulator.rs).

use crate::common;

use lambdascope::domain::{HOUR_MS, TimeWindow};

#[tokio::test]
async fn demo_honours_the_source_contract() {
    let found = common::contract::check(
        &common::source(),
        TimeWindow::new(common::T0 - HOUR_MS, common::T0),
    )
    .await;
    assert_eq!(found.functions, 17);
    assert!(
        found.log_events > 1000,
        "an hour of logs, got {}",
        found.log_events
    );
    assert_eq!(found.traces, 20);
    assert!(
        found.cold_starts.is_some_and(|n| n > 0),
        "the demo lists cold starts: {:?}",
        found.cold_starts
    );
}

/// A function busy in every minute has a datapoint in every bucket of the plan, at 60, 300 and
/// 3600 s and at period = window, on a window that starts on no boundary (the same check runs
/// against the AWS backend with mocks and with the emulator).
#[tokio::test]
async fn demo_buckets_are_exactly_the_plans() {
    let s = common::source();
    let window = TimeWindow::new(common::T0 - 3 * HOUR_MS, common::T0);
    let found = common::contract::buckets(&s, "orders-api-get", window).await;
    assert_eq!(found.len(), 4);
    for (plan, stamps) in found {
        assert_eq!(
            stamps,
            common::contract::every_bucket(plan, s.now()),
            "{plan:?}"
        );
        assert_eq!(plan.window.end, window.end, "the window keeps its end");
        assert!(plan.window.start <= common::contract::ragged(window).start);
    }
}
