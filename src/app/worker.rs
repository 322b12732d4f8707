//! Workers run one Source call and answer with a message. They never touch State.

use futures::{Stream, StreamExt};

use super::jobs::{Deliver, Delivery, Request};
use super::msg::Msg;
use crate::domain::{InsightsQuery, InsightsUpdate, SourceError, TailRequest, TailUpdate};
use crate::source::Source;

/// Runs a one-shot request. Subscriptions go through [`subscribe`].
pub async fn run(source: &Source, request: Request) -> Msg {
    match request {
        Request::Functions(reply) => reply(source.list_functions().await),
        Request::Function(name, reply) => reply(source.function(&name).await),
        Request::Metrics(req, reply) => reply(source.metrics(&req).await),
        Request::MetricSets(reqs, reply) => reply(source.metric_sets(&reqs).await),
        Request::Logs(q, reply) => reply(source.logs(&q).await),
        Request::Stream(q, reply) => reply(source.stream_events(&q).await),
        Request::TraceSummaries(q, reply) => reply(source.trace_summaries(&q).await),
        Request::Traces(ids, reply) => reply(source.traces(&ids).await),
        Request::ServiceGraph(w, reply) => reply(source.service_graph(w).await),
        Request::Tail(_, deliver) => deliver(Delivery::Ended(Err(SourceError::Other(
            "a tail is a subscription, not a one-shot request".into(),
        )))),
        Request::Insights(_, deliver) => deliver(Delivery::Ended(Err(SourceError::Other(
            "a Logs Insights query is a subscription, not a one-shot request".into(),
        )))),
        Request::Work(_, work) => work(),
    }
}

/// How a subscription hands over one message. `Err(true)` means the receiver is full (the
/// message is dropped and counted), `Err(false)` that it is gone (the subscription ends).
pub trait Outlet {
    fn offer(&mut self, msg: Msg) -> Result<(), bool>;
}

/// Events in one delivery, for the drop count.
fn weight(u: &TailUpdate) -> u64 {
    match u {
        TailUpdate::Events(v) => v.len() as u64,
        _ => 0,
    }
}

/// Follows a tail until the stream ends or the outlet closes. What the outlet cannot take is
/// counted and reported with the next delivery that gets through, never dropped silently.
pub async fn subscribe(
    source: &Source,
    req: TailRequest,
    deliver: Deliver<TailUpdate>,
    out: &mut impl Outlet,
) {
    let stream = source.tail(&req).await.map(|s| s.map(Ok));
    follow(stream, deliver, out, weight).await;
}

/// Follows a Logs Insights query to its rows. Dropping it (the job cancelled) stops the query.
pub async fn subscribe_insights(
    source: &Source,
    q: InsightsQuery,
    deliver: Deliver<InsightsUpdate>,
    out: &mut impl Outlet,
) {
    let stream = source.insights(&q).await;
    follow(stream, deliver, out, |_| 0).await;
}

/// Hands a stream's items over until it ends, fails or the outlet closes.
async fn follow<T, S>(
    stream: Result<S, SourceError>,
    deliver: Deliver<T>,
    out: &mut impl Outlet,
    weight: fn(&T) -> u64,
) where
    S: Stream<Item = Result<T, SourceError>> + Unpin,
{
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => {
            let _ = out.offer(deliver(Delivery::Ended(Err(e))));
            return;
        }
    };
    let mut dropped = 0u64;
    while let Some(item) = stream.next().await {
        let update = match item {
            Ok(u) => u,
            Err(e) => {
                let _ = out.offer(deliver(Delivery::Ended(Err(e))));
                return;
            }
        };
        if dropped > 0 {
            match out.offer(deliver(Delivery::Dropped(dropped))) {
                Ok(()) => dropped = 0,
                Err(true) => {
                    dropped += weight(&update);
                    continue;
                }
                Err(false) => return,
            }
        }
        let w = weight(&update);
        match out.offer(deliver(Delivery::Item(update))) {
            Ok(()) => {}
            Err(true) => dropped += w,
            Err(false) => return,
        }
    }
    let _ = out.offer(deliver(Delivery::Ended(Ok(()))));
}
