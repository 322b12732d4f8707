//! The demo account honours the Source contract (the AWS backend runs the same suite against
//! the emulator in aws_emulator.rs).

mod common;

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
}
