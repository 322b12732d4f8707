//! Workers run one Source call and answer with a message. They never touch State.

use futures::StreamExt;

use super::jobs::{Deliver, Delivery, Request};
use super::msg::Msg;
use crate::domain::{SourceError, TailRequest, TailUpdate};
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
        Request::TracePage(q, c, reply) => reply(source.trace_page(&q, &c).await),
        Request::Traces(ids, reply) => reply(source.traces(&ids).await),
        Request::ServiceGraph(w, reply) => reply(source.service_graph(w).await),
        Request::Tail(_, deliver) => deliver(Delivery::Ended(Err(SourceError::Other(
            "a tail is a subscription, not a one-shot request".into(),
        )))),
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
    let mut stream = match source.tail(&req).await {
        Ok(s) => s,
        Err(e) => {
            let _ = out.offer(deliver(Delivery::Ended(Err(e))));
            return;
        }
    };
    let mut dropped = 0u64;
    while let Some(update) = stream.next().await {
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
