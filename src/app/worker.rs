//! Workers run Source calls and answer with messages. They never touch State.
//!
//! A one-shot request answers once ([`run`]); a subscription delivers until it ends or its
//! outlet closes ([`follow`]). The calls themselves are rows of `requests!` in app/jobs.rs; the
//! runtime and the test driver treat every subscription alike.

use std::future::Future;
use std::time::Duration;

use futures::{Stream, StreamExt};

use super::jobs::{Deliver, Delivery, Request};
use super::msg::Msg;
use crate::domain::{InsightsUpdate, SourceError, TailUpdate};
use crate::source::Source;

/// The runner's backstop for a one-shot Source call: whatever the source's own deadlines do,
/// a job answers by then, so a refresh never waits on (or joins) a dead request for long.
pub const BACKSTOP: Duration = Duration::from_secs(120);
/// Cold starts come from a Logs Insights query, which may rightly scan for minutes.
pub const QUERY_BACKSTOP: Duration = Duration::from_secs(15 * 60);

/// Runs a one-shot request; a subscription given here ends at once with an error.
pub async fn run(source: &Source, request: Request) -> Msg {
    request.call(source).await
}

/// A one-shot call under the backstop.
pub(super) struct Bound<'a> {
    what: &'static str,
    source: &'a Source,
    limit: Duration,
}

impl<'a> Bound<'a> {
    pub(super) fn new(what: &'static str, source: &'a Source, limit: Duration) -> Bound<'a> {
        Bound {
            what,
            source,
            limit,
        }
    }

    /// Boxed: Source calls are large futures, and the test driver awaits many of them nested on
    /// one thread's stack.
    pub(super) fn on<T: 'a>(
        self,
        call: impl Future<Output = Result<T, SourceError>> + Send + 'a,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<T, SourceError>> + Send + 'a>> {
        Box::pin(async move {
            match tokio::time::timeout(self.limit, call).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(what = self.what, "a source call hit the backstop");
                    Err(SourceError::TimedOut {
                        what: self.what.into(),
                        endpoint: self.source.info().to_string(),
                        after: self.limit,
                    })
                }
            }
        })
    }
}

pub(super) fn not_one_shot() -> SourceError {
    SourceError::Other("a subscription is not a one-shot request".into())
}

/// How a subscription hands over one message. `Err(true)` means the receiver is full (the
/// message is dropped and counted), `Err(false)` that it is gone (the subscription ends).
pub trait Outlet {
    fn offer(&mut self, msg: Msg) -> Result<(), bool>;
    /// Hands over a message that must not be lost (a gap, an interruption, the end), waiting
    /// for room if need be; false when the receiver is gone.
    fn insist(&mut self, msg: Msg) -> impl Future<Output = bool> + Send;
}

/// How many events a delivery carries, for the drop count.
pub trait Weight {
    fn weight(&self) -> u64;
}

impl Weight for TailUpdate {
    fn weight(&self) -> u64 {
        match self {
            TailUpdate::Events(v) => v.len() as u64,
            _ => 0,
        }
    }
}

impl Weight for InsightsUpdate {
    fn weight(&self) -> u64 {
        0
    }
}

/// Follows a subscription until it ends or the outlet closes; a one-shot request given here
/// answers once.
pub async fn follow(source: &Source, request: Request, out: &mut impl Outlet) {
    request.follow(source, out).await
}

/// Moves a stream's items to the outlet until it ends or fails. Events the outlet cannot take
/// are counted and reported with the next delivery that gets through; control notices (gaps,
/// interruptions, mode changes, the end) and the drop counts themselves are never dropped.
pub(super) async fn pump<T: Weight, S: Stream<Item = Result<T, SourceError>> + Unpin>(
    stream: Result<S, SourceError>,
    deliver: Deliver<T>,
    out: &mut impl Outlet,
) {
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => {
            out.insist(deliver(Delivery::Ended(Err(e)))).await;
            return;
        }
    };
    let mut dropped = 0u64;
    while let Some(item) = stream.next().await {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                if dropped > 0 {
                    out.insist(deliver(Delivery::Dropped(dropped))).await;
                }
                out.insist(deliver(Delivery::Ended(Err(e)))).await;
                return;
            }
        };
        let w = item.weight();
        if w == 0 {
            // A notice: in order, after the count of what was dropped before it.
            if dropped > 0 && !out.insist(deliver(Delivery::Dropped(dropped))).await {
                return;
            }
            dropped = 0;
            if !out.insist(deliver(Delivery::Item(item))).await {
                return;
            }
            continue;
        }
        if dropped > 0 {
            match out.offer(deliver(Delivery::Dropped(dropped))) {
                Ok(()) => dropped = 0,
                Err(true) => {
                    dropped += w;
                    continue;
                }
                Err(false) => return,
            }
        }
        match out.offer(deliver(Delivery::Item(item))) {
            Ok(()) => {}
            Err(true) => dropped += w,
            Err(false) => return,
        }
    }
    if dropped > 0 {
        out.insist(deliver(Delivery::Dropped(dropped))).await;
    }
    out.insist(deliver(Delivery::Ended(Ok(())))).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LogEvent, TailRequest};

    /// Takes every other message, as a receiver that keeps falling behind would.
    struct Flaky {
        taken: Vec<Msg>,
        offers: usize,
        stop_after: usize,
    }

    impl Outlet for Flaky {
        fn offer(&mut self, msg: Msg) -> Result<(), bool> {
            self.offers += 1;
            if self.taken.len() >= self.stop_after {
                return Err(false);
            }
            if self.offers.is_multiple_of(2) {
                return Err(true);
            }
            self.taken.push(msg);
            Ok(())
        }
        async fn insist(&mut self, msg: Msg) -> bool {
            if self.taken.len() >= self.stop_after {
                return false;
            }
            self.taken.push(msg);
            true
        }
    }

    fn event(i: usize) -> LogEvent {
        LogEvent {
            timestamp: i as i64,
            ingestion_time: i as i64,
            log_group: "g".into(),
            log_stream: "s".into(),
            message: format!("line {i}"),
            event_id: i.to_string(),
        }
    }

    #[tokio::test]
    async fn what_the_owner_cannot_take_is_counted_and_reported() {
        let updates: Vec<TailUpdate> = (0..6)
            .map(|i| TailUpdate::Events(vec![event(2 * i), event(2 * i + 1)]))
            .collect();
        let deliver: Deliver<TailUpdate> = Box::new(|d| match d {
            Delivery::Item(TailUpdate::Events(v)) => Msg::Resize(v.len() as u16, 0),
            Delivery::Dropped(n) => Msg::Resize(0, n as u16),
            _ => Msg::Resize(0, 0),
        });
        let mut out = Flaky {
            taken: vec![],
            offers: 0,
            stop_after: 100,
        };
        pump(
            Ok(futures::stream::iter(updates.into_iter().map(Ok))),
            deliver,
            &mut out,
        )
        .await;
        let (mut delivered, mut reported) = (0, 0);
        for m in &out.taken {
            if let Msg::Resize(items, dropped) = m {
                delivered += *items as u64;
                reported += *dropped as u64;
            }
        }
        // Every event was either delivered or reported as dropped; none vanished.
        assert_eq!(delivered + reported, 12, "{:?}", out.taken);
        assert!(reported > 0);
    }

    #[tokio::test]
    async fn notices_are_never_dropped_however_full_the_outlet_is() {
        let gap = |i: i64| TailUpdate::Gap {
            group: "g".into(),
            window: crate::domain::TimeWindow::new(i, i + 1),
        };
        let updates: Vec<TailUpdate> = (0..6)
            .flat_map(|i| [TailUpdate::Events(vec![event(i as usize)]), gap(i)])
            .collect();
        let deliver: Deliver<TailUpdate> = Box::new(|d| match d {
            Delivery::Item(TailUpdate::Gap { window, .. }) => Msg::Resize(7, window.start as u16),
            Delivery::Ended(_) => Msg::Resize(9, 9),
            _ => Msg::Resize(0, 0),
        });
        let mut out = Flaky {
            taken: vec![],
            offers: 0,
            stop_after: 100,
        };
        pump(
            Ok(futures::stream::iter(updates.into_iter().map(Ok))),
            deliver,
            &mut out,
        )
        .await;
        let gaps: Vec<&Msg> = out
            .taken
            .iter()
            .filter(|m| matches!(m, Msg::Resize(7, _)))
            .collect();
        assert_eq!(gaps.len(), 6, "{:?}", out.taken);
        assert_eq!(out.taken.last(), Some(&Msg::Resize(9, 9)), "the end, last");
    }

    #[tokio::test]
    async fn a_closed_outlet_ends_the_subscription() {
        let s = Source::Demo(crate::source::demo::DemoSource::new(
            1,
            crate::source::demo::Clock::Fixed(1_795_442_400_000),
        ));
        let req = TailRequest {
            log_groups: vec!["/aws/lambda/orders-api-create".into()],
            filter_pattern: String::new(),
            since: Some(1_795_442_400_000 - 60_000),
        };
        let mut out = Flaky {
            taken: vec![],
            offers: 0,
            stop_after: 1,
        };
        let deliver: Deliver<TailUpdate> = Box::new(|_| Msg::Resize(0, 0));
        // The demo tail never ends by itself; a closed outlet must end it.
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            follow(&s, Request::Tail(req, deliver), &mut out),
        )
        .await
        .expect("the subscription ended");
        assert_eq!(out.taken.len(), 1);
    }
}
