//! Workers run Source calls and answer with messages. They never touch State.
//!
//! A one-shot request answers once ([`run`]); a subscription delivers until it ends or its
//! outlet closes ([`follow`]). Adding a subscription is a `Request` variant, an arm in
//! [`follow`] and one in [`Request::is_subscription`]; the runtime and the test driver treat
//! every subscription alike.

use futures::{Stream, StreamExt};

use super::jobs::{Deliver, Delivery, Request};
use super::msg::Msg;
use crate::domain::{InsightsUpdate, SourceError, TailUpdate};
use crate::source::Source;

/// Runs a one-shot request; a subscription given here ends at once with an error.
pub async fn run(source: &Source, request: Request) -> Msg {
    match request {
        Request::Functions(reply) => reply(source.list_functions().await),
        Request::Function(name, reply) => reply(source.function(&name).await),
        Request::Metrics(req, reply) => reply(source.metrics(&req).await),
        Request::MetricSets(reqs, reply) => reply(source.metric_sets(&reqs).await),
        Request::Logs(q, reply) => reply(source.logs(&q).await),
        Request::Stream(q, reply) => reply(source.stream_events(&q).await),
        Request::TraceSummaries(q, reply) => reply(source.trace_summaries(&q).await),
        Request::TracePage(q, c, reply) => reply(source.trace_page(&q, &c).await),
        Request::Traces(ids, reply) => reply(source.traces(&ids).await),
        Request::ServiceGraph(w, reply) => reply(source.service_graph(w).await),
        Request::ColdStarts(q, reply) => reply(source.cold_starts(&q).await),
        Request::AccountSettings(reply) => reply(source.account_settings().await),
        Request::Tail(_, deliver) => deliver(Delivery::Ended(Err(not_one_shot()))),
        Request::Insights(_, deliver) => deliver(Delivery::Ended(Err(not_one_shot()))),
        Request::Work(_, work) => work(),
    }
}

fn not_one_shot() -> SourceError {
    SourceError::Other("a subscription is not a one-shot request".into())
}

/// How a subscription hands over one message. `Err(true)` means the receiver is full (the
/// message is dropped and counted), `Err(false)` that it is gone (the subscription ends).
pub trait Outlet {
    fn offer(&mut self, msg: Msg) -> Result<(), bool>;
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
    match request {
        Request::Tail(req, deliver) => {
            let stream = source.tail(&req).await.map(|s| s.map(Ok));
            pump(stream, deliver, out).await
        }
        // Dropping the stream (the job cancelled) stops the query.
        Request::Insights(q, deliver) => pump(source.insights(&q).await, deliver, out).await,
        one_shot => {
            let _ = out.offer(run(source, one_shot).await);
        }
    }
}

/// Moves a stream's items to the outlet until it ends or fails. What the outlet cannot take is
/// counted and reported with the next delivery that gets through, never dropped silently.
async fn pump<T: Weight, S: Stream<Item = Result<T, SourceError>> + Unpin>(
    stream: Result<S, SourceError>,
    deliver: Deliver<T>,
    out: &mut impl Outlet,
) {
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => {
            let _ = out.offer(deliver(Delivery::Ended(Err(e))));
            return;
        }
    };
    let mut dropped = 0u64;
    while let Some(item) = stream.next().await {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let _ = out.offer(deliver(Delivery::Ended(Err(e))));
                return;
            }
        };
        if dropped > 0 {
            match out.offer(deliver(Delivery::Dropped(dropped))) {
                Ok(()) => dropped = 0,
                Err(true) => {
                    dropped += item.weight();
                    continue;
                }
                Err(false) => return,
            }
        }
        let w = item.weight();
        match out.offer(deliver(Delivery::Item(item))) {
            Ok(()) => {}
            Err(true) => dropped += w,
            Err(false) => return,
        }
    }
    if dropped > 0 {
        let _ = out.offer(deliver(Delivery::Dropped(dropped)));
    }
    let _ = out.offer(deliver(Delivery::Ended(Ok(()))));
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
