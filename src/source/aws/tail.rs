//! Following log groups: Live Tail when it works, polling FilterLogEvents when it does not, and
//! a stream that never ends by itself.
//!
//! The loop, per round:
//! 1. backfill with FilterLogEvents from each group's last delivered timestamp (minus an
//!    overlap), so nothing is lost across reconnects, outages or the switch between Live Tail
//!    and polling. Each group keeps its own cursor, and one round reads a bounded number of its
//!    events; a group that is still behind keeps reading (and holds Live Tail back) until it has
//!    caught up, or, past the catch-up bound, skips to the present and reports the span it
//!    could not read as [`TailUpdate::Gap`];
//! 2. follow a Live Tail session until it ends (renewing it before the 3-hour limit), or, when
//!    Live Tail is unavailable or keeps ending early, poll every few seconds for a while.
//!
//! Every event goes through one [`Seen`] set keyed by the event's identity
//! ([`crate::domain::event_id`], the same rule for FilterLogEvents and Live Tail), so none is
//! shown twice. Outages produce [`TailUpdate::Interrupted`] and an unbounded retry with capped
//! backoff; [`TailUpdate::Mode`] says whether Live Tail or polling delivers.
//!
//! Under faults: a Live Tail session that sends nothing for [`HEARTBEAT`] is dead (AWS sends an
//! update every second, even an empty one) and is ended, and the tail re-reads from its cursor;
//! the stream is read while the backfill runs (AWS keeps only the newest updates of a stream
//! nobody reads); a group that does not exist yet or is denied is named once
//! ([`TailUpdate::Group`]) and the others go on. More than ten groups run several sessions.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_cloudwatchlogs::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use futures::SinkExt;
use futures::channel::mpsc;

use super::{Api, AwsSource};
use crate::domain::{
    EpochMs, HOUR_MS, LIVE_TAIL_GROUPS, LogEvent, MAX_TAILED_GROUPS, MINUTE_MS, SourceError,
    TailMode, TailRequest, TailUpdate, TimeWindow, event_id, group_problem,
};
use crate::source::TailStream;

/// AWS sends a session update every second, even with no events: silence this long means the
/// stream is dead.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A group that could not be read is tried again this often (it appears with the function's
/// first invocation).
const RECHECK_MISSING: Duration = Duration::from_secs(60);
/// Sessions end after 3 hours; we renew a little before.
const SESSION_RENEW_AFTER: Duration = Duration::from_secs(3 * 3600 - 60);
/// A session that ends sooner than this counts as a failure (an emulator closes at once).
const SESSION_MIN_HEALTHY: Duration = Duration::from_secs(60);
/// After Live Tail fails, poll for this long before trying it again.
const POLL_FALLBACK: Duration = Duration::from_secs(5 * 60);
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Backfill re-reads this much before the last delivered event, for late-ingested events.
const OVERLAP_MS: EpochMs = MINUTE_MS;
const MAX_OUTAGE_BACKOFF: Duration = Duration::from_secs(30);

/// Live Tail's endpoint carries a host prefix (`streaming-` or `stream-`) that breaks custom
/// endpoints such as `http://127.0.0.1:5000`; this strips it. Installed only with a custom endpoint.
#[derive(Debug)]
pub(super) struct StripStreamHostPrefix;

impl Intercept for StripStreamHostPrefix {
    fn name(&self) -> &'static str {
        "StripStreamHostPrefix"
    }
    fn modify_before_signing(
        &self,
        ctx: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let req = ctx.request_mut();
        let uri = req
            .uri()
            .replacen("://streaming-", "://", 1)
            .replacen("://stream-", "://", 1);
        req.set_uri(uri)?;
        Ok(())
    }
}

/// The events already delivered, by identity, pruned by age.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    by_key: HashMap<u64, EpochMs>,
}

impl Seen {
    fn key(e: &LogEvent) -> u64 {
        let mut h = DefaultHasher::new();
        e.event_id.hash(&mut h);
        h.finish()
    }
    /// True the first time an event is offered.
    pub(crate) fn first_time(&mut self, e: &LogEvent) -> bool {
        self.by_key.insert(Self::key(e), e.timestamp).is_none()
    }
    /// Forgets events older than `before` (the backfill never reaches back that far).
    pub(crate) fn prune(&mut self, before: EpochMs) {
        if self.by_key.len() > 10_000 {
            self.by_key.retain(|_, t| *t >= before);
        }
    }
}

/// Numbers identical events across Live Tail's batches (the second `.` printed in a loop may
/// come in the next batch), the way FilterLogEvents' pages number them within a page, so both
/// are kept and neither is read twice.
#[derive(Debug, Default)]
struct LiveIds {
    /// Base identity → (how many seen, newest timestamp).
    counts: HashMap<String, (usize, EpochMs)>,
}

impl LiveIds {
    fn stamp(&mut self, events: &mut [LogEvent]) {
        for e in events.iter_mut() {
            let base = event_id(&e.log_group, &e.log_stream, e.timestamp, &e.message, 0);
            let n = self.counts.entry(base.clone()).or_insert((0, e.timestamp));
            e.event_id = if n.0 == 0 {
                base
            } else {
                event_id(&e.log_group, &e.log_stream, e.timestamp, &e.message, n.0)
            };
            n.0 += 1;
        }
    }
    fn prune(&mut self, before: EpochMs) {
        if self.counts.len() > 10_000 {
            self.counts.retain(|_, (_, t)| *t >= before);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct GroupCursor {
    at: EpochMs,
    behind_rounds: u32,
    /// Nothing older is read again: the start, or where the tail skipped to.
    floor: EpochMs,
}

enum Round {
    /// The consumer dropped the stream.
    Closed,
    /// A Live Tail session ended after running this long.
    SessionEnded(Duration),
    /// A Live Tail session went silent past its heartbeat after running this long.
    Silent(Duration),
    /// No group can be followed live now (none exists yet): poll.
    NothingLive,
    Polled,
    /// A group is still catching up: read again at once.
    Behind,
}

/// What went wrong in a round: starting Live Tail (then poll instead), or reading (then the
/// tail is interrupted and retries).
enum Fail {
    Live(SourceError),
    Read(SourceError),
}

impl From<SourceError> for Fail {
    fn from(e: SourceError) -> Fail {
        Fail::Read(e)
    }
}

/// One step of a Live Tail session.
enum Step {
    Go,
    Closed,
    Ended,
}

struct Tailer {
    src: AwsSource,
    req: TailRequest,
    tx: mpsc::Sender<TailUpdate>,
    seen: Seen,
    /// Nothing older is delivered: the request's `since`, or the moment the tail started.
    since: EpochMs,
    /// Per group: the latest timestamp read (or the start point), and the backfill rounds it
    /// has needed so far to catch up (0 when it has).
    cursors: HashMap<String, GroupCursor>,
    /// The mode last announced.
    mode: Option<TailMode>,
    /// Poll instead of Live Tail until then.
    poll_until: Option<Instant>,
    /// Live Tail refused for good (e.g. no IAM permission): poll only.
    live_disabled: bool,
    outages: u32,
    /// Groups that could not be read, why, and when they were last tried.
    unreadable: HashMap<String, (String, Instant)>,
    live_ids: LiveIds,
    /// Whether Live Tail last said it samples.
    sampled: bool,
}

impl AwsSource {
    /// Follows up to [`MAX_TAILED_GROUPS`] groups, ten a Live Tail session. The stream survives
    /// outages and ends only when dropped.
    pub async fn tail(&self, req: &TailRequest) -> Result<TailStream, SourceError> {
        if req.log_groups.is_empty() {
            return Err(SourceError::Other(
                "nothing to tail: no log group given".into(),
            ));
        }
        if req.log_groups.len() > MAX_TAILED_GROUPS {
            return Err(SourceError::Unsupported {
                what: format!("tailing {} log groups", req.log_groups.len()),
                reason: format!("one tail follows at most {MAX_TAILED_GROUPS}"),
            });
        }
        let since = req.since.unwrap_or_else(|| self.now());
        let streams: Vec<TailStream> = req
            .log_groups
            .chunks(LIVE_TAIL_GROUPS)
            .map(|groups| {
                let req = TailRequest {
                    log_groups: groups.to_vec(),
                    since: Some(since),
                    ..req.clone()
                };
                self.tail_session(req)
            })
            .collect();
        Ok(match streams.len() {
            1 => streams
                .into_iter()
                .next()
                .unwrap_or_else(|| Box::pin(futures::stream::empty())),
            _ => Box::pin(futures::stream::select_all(streams)),
        })
    }

    /// One tailer: up to ten groups, one Live Tail session at a time.
    fn tail_session(&self, req: TailRequest) -> TailStream {
        let (tx, rx) = mpsc::channel(64);
        let since = req.since.unwrap_or_else(|| self.now());
        let cursors = req
            .log_groups
            .iter()
            .map(|g| {
                let c = GroupCursor {
                    at: since,
                    behind_rounds: 0,
                    floor: since,
                };
                (g.clone(), c)
            })
            .collect();
        let tailer = Tailer {
            src: self.clone(),
            since,
            cursors,
            mode: None,
            req,
            tx,
            seen: Seen::default(),
            poll_until: None,
            live_disabled: false,
            outages: 0,
            unreadable: HashMap::new(),
            live_ids: LiveIds::default(),
            sampled: false,
        };
        tokio::spawn(tailer.run());
        Box::pin(rx)
    }

    /// Log group ARNs for Live Tail, via DescribeLogGroups (cached).
    async fn group_arn(&self, group: &str) -> Result<String, SourceError> {
        if let Some(arn) = self
            .shared
            .group_arns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(group)
        {
            return Ok(arn.clone());
        }
        let logs = &self.clients().logs;
        let out = self
            .call(Api::DescribeLogGroups, || {
                logs.describe_log_groups()
                    .log_group_name_prefix(group)
                    .send()
            })
            .await?;
        let lg = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(group))
            .ok_or_else(|| SourceError::NotFound(format!("log group {group}")))?;
        let arn = lg
            .log_group_arn()
            .map(str::to_string)
            .or_else(|| lg.arn().map(|a| a.trim_end_matches(":*").to_string()))
            .ok_or_else(|| SourceError::Other(format!("log group {group} has no ARN")))?;
        self.shared
            .group_arns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(group.to_string(), arn.clone());
        Ok(arn)
    }
}

impl Tailer {
    async fn run(mut self) {
        loop {
            // A group still catching up is read by polling; Live Tail waits for it.
            let behind = self.cursors.values().any(|c| c.behind_rounds > 0);
            let live = !self.live_disabled
                && !behind
                && self.poll_until.is_none_or(|t| Instant::now() >= t);
            let round = if live {
                self.live_round().await
            } else {
                self.poll_round().await
            };
            match round {
                Ok(Round::Closed) => return,
                Ok(Round::SessionEnded(ran)) => {
                    self.outages = 0;
                    if ran < SESSION_MIN_HEALTHY {
                        tracing::info!(?ran, "Live Tail ended early; polling for a while");
                        self.poll_until = Some(Instant::now() + POLL_FALLBACK);
                    }
                }
                Ok(Round::Silent(ran)) => {
                    tracing::warn!(?ran, "Live Tail went silent; re-reading from the cursor");
                    if ran < SESSION_MIN_HEALTHY {
                        self.poll_until = Some(Instant::now() + POLL_FALLBACK);
                    }
                    let update = TailUpdate::Interrupted {
                        reason: format!(
                            "Live Tail sent nothing for {} s; re-reading from the last event",
                            HEARTBEAT.as_secs()
                        ),
                        retry_in: Duration::ZERO,
                    };
                    if self.tx.send(update).await.is_err() {
                        return;
                    }
                }
                Ok(Round::NothingLive) => {
                    self.poll_until = Some(Instant::now() + RECHECK_MISSING);
                }
                Ok(Round::Behind) => self.outages = 0,
                Ok(Round::Polled) => {
                    self.outages = 0;
                    let interval = POLL_INTERVAL
                        .max(Duration::from_millis(500) * self.req.log_groups.len() as u32);
                    if self.pause(interval).await {
                        return;
                    }
                }
                Err(Fail::Live(e)) => {
                    // Polling reports its own trouble; Live Tail's failure only means "poll".
                    tracing::warn!(%e, "Live Tail unavailable; polling instead");
                    if matches!(
                        e,
                        SourceError::AccessDenied { .. } | SourceError::Unsupported { .. }
                    ) {
                        self.live_disabled = true;
                    } else {
                        self.poll_until = Some(Instant::now() + POLL_FALLBACK);
                    }
                }
                Err(Fail::Read(e)) => {
                    let draw = self.src.with_meter(|m| m.jitter.draw());
                    let base = RetryBackoff::outage(self.outages, draw);
                    self.outages += 1;
                    let update = TailUpdate::Interrupted {
                        reason: e.to_string(),
                        retry_in: base,
                    };
                    if self.tx.send(update).await.is_err() || self.pause(base).await {
                        return;
                    }
                }
            }
        }
    }

    /// Names a group that cannot be read, once; false when the consumer is gone.
    async fn unreadable(&mut self, group: &str, why: String) -> bool {
        let first = self
            .unreadable
            .insert(group.to_string(), (why.clone(), Instant::now()))
            .is_none();
        if first {
            tracing::info!(%group, %why, "a log group cannot be read");
            let update = TailUpdate::Group {
                group: group.to_string(),
                problem: Some(why),
            };
            return self.tx.send(update).await.is_ok();
        }
        !self.tx.is_closed()
    }

    /// A group that could not be read can be now; false when the consumer is gone.
    async fn readable(&mut self, group: &str) -> bool {
        if self.unreadable.remove(group).is_some() {
            let update = TailUpdate::Group {
                group: group.to_string(),
                problem: None,
            };
            return self.tx.send(update).await.is_ok();
        }
        !self.tx.is_closed()
    }

    /// Whether a group that could not be read is due to be tried again.
    fn skip_for_now(&self, group: &str) -> bool {
        self.unreadable
            .get(group)
            .is_some_and(|(_, at)| at.elapsed() < RECHECK_MISSING)
    }

    /// Sleeps, returning true if the consumer went away meanwhile.
    async fn pause(&mut self, d: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + d;
        while tokio::time::Instant::now() < deadline {
            if self.tx.is_closed() {
                return true;
            }
            tokio::time::sleep_until(
                deadline.min(tokio::time::Instant::now() + Duration::from_millis(250)),
            )
            .await;
        }
        self.tx.is_closed()
    }

    /// Says how events come now, when that changed; false when the consumer is gone.
    async fn announce(&mut self, mode: TailMode) -> bool {
        if self.mode == Some(mode) {
            return !self.tx.is_closed();
        }
        self.mode = Some(mode);
        self.tx.send(TailUpdate::Mode(mode)).await.is_ok()
    }

    /// Delivers events not seen before; false when the consumer is gone. Live events move a
    /// group's cursor only once it has caught up: a group still being backfilled must not
    /// skip what lies between.
    async fn deliver(&mut self, mut events: Vec<LogEvent>, live: bool) -> bool {
        let since = self.since;
        let now = self.src.now();
        for e in &events {
            if let Some(c) = self.cursors.get_mut(&e.log_group)
                && (!live || c.behind_rounds == 0)
            {
                // A future-dated event must not push the backfill past events still to come.
                c.at = c.at.max(e.timestamp.min(now));
            }
        }
        events.retain(|e| e.timestamp >= since && self.seen.first_time(e));
        if events.is_empty() {
            return !self.tx.is_closed();
        }
        events.sort_by_key(|e| e.timestamp);
        // Quiet groups' cursors follow the clock (see `backfill`), so this horizon does too:
        // only a group still catching up holds it back, and that for a bounded number of rounds.
        let oldest_cursor = self.cursors.values().map(|c| c.at).min().unwrap_or(now);
        let horizon = oldest_cursor.min(now) - 3 * OVERLAP_MS;
        self.seen.prune(horizon);
        self.live_ids.prune(horizon);
        self.tx.send(TailUpdate::Events(events)).await.is_ok()
    }

    /// FilterLogEvents from each group's cursor (minus the overlap) towards now, a bounded
    /// number of events per group. Returns whether every group has caught up (`None` when the
    /// consumer is gone).
    async fn backfill(&mut self) -> Result<Option<bool>, SourceError> {
        let limits = self.src.log_limits();
        let now = self.src.now();
        let mut caught_up = true;
        for group in self.req.log_groups.clone() {
            let Some(cursor) = self.cursors.get(&group).copied() else {
                continue;
            };
            // Caught up: re-read the overlap for late-ingested events. Behind: go on from
            // where the last round stopped (the overlap would eat the bound).
            let from = if cursor.behind_rounds > 0 {
                cursor.at
            } else {
                cursor.at - OVERLAP_MS
            };
            if self.skip_for_now(&group) {
                continue;
            }
            let window = TimeWindow::new(from.max(cursor.floor), now + HOUR_MS);
            let read = self
                .src
                .filter_group_from(
                    &group,
                    window,
                    &self.req.filter_pattern,
                    limits.backfill_events,
                )
                .await;
            let (events, more) = match read {
                Ok(r) => r,
                Err(e) => match group_problem(&e) {
                    Some(why) => {
                        if !self.unreadable(&group, why).await {
                            return Ok(None);
                        }
                        continue;
                    }
                    None => return Err(e),
                },
            };
            if !self.readable(&group).await {
                return Ok(None);
            }
            let read_to = events.last().map(|e| e.timestamp);
            if !self.deliver(events, false).await {
                return Ok(None);
            }
            let Some(c) = self.cursors.get_mut(&group) else {
                continue;
            };
            if more.is_none() {
                c.behind_rounds = 0;
                // Read to the end: the next read starts from here, however quiet the group.
                c.at = c.at.max(now);
                continue;
            }
            c.behind_rounds += 1;
            if let Some(t) = read_to {
                c.at = c.at.max(t);
            }
            if c.behind_rounds > limits.catchup_rounds {
                // Too far behind to catch up and stay live: skip to the present, say what
                // was not read.
                let gap = TimeWindow::new(c.at + 1, now);
                c.at = now;
                c.floor = now;
                c.behind_rounds = 0;
                tracing::warn!(%group, ?gap, "tail could not catch up; reporting a gap");
                if gap.len_ms() > 0 {
                    let update = TailUpdate::Gap {
                        group: group.clone(),
                        window: gap,
                    };
                    if self.tx.send(update).await.is_err() {
                        return Ok(None);
                    }
                }
            } else {
                caught_up = false;
            }
        }
        Ok(Some(caught_up))
    }

    async fn poll_round(&mut self) -> Result<Round, Fail> {
        if !self.announce(TailMode::Polling).await {
            return Ok(Round::Closed);
        }
        Ok(match self.backfill().await? {
            Some(true) => Round::Polled,
            Some(false) => Round::Behind,
            None => Round::Closed,
        })
    }

    async fn live_round(&mut self) -> Result<Round, Fail> {
        let mut arns = Vec::with_capacity(self.req.log_groups.len());
        let mut groups = Vec::with_capacity(self.req.log_groups.len());
        for g in self.req.log_groups.clone() {
            if self.skip_for_now(&g) {
                continue;
            }
            match self.src.group_arn(&g).await {
                Ok(arn) => {
                    arns.push(arn);
                    groups.push(g);
                }
                Err(e) => match group_problem(&e) {
                    Some(why) => {
                        if !self.unreadable(&g, why).await {
                            return Ok(Round::Closed);
                        }
                    }
                    None => return Err(Fail::Live(e)),
                },
            }
        }
        if arns.is_empty() {
            return Ok(Round::NothingLive);
        }
        let arn_to_group: HashMap<String, String> =
            arns.iter().cloned().zip(groups.iter().cloned()).collect();
        let pattern = Some(self.req.filter_pattern.clone()).filter(|p| !p.trim().is_empty());
        let logs = self.src.clients().logs.clone();
        let mut out = self
            .src
            .call(Api::StartLiveTail, || {
                logs.start_live_tail()
                    .set_log_group_identifiers(Some(arns.clone()))
                    .set_log_event_filter_pattern(pattern.clone())
                    .send()
            })
            .await
            .map_err(Fail::Live)?;
        let started = Instant::now();
        let mut billed_at = started;
        // Backfill after the session is up, so nothing falls between the two, and read the
        // stream meanwhile: AWS drops the oldest updates of a stream nobody reads. A group
        // still behind holds the session back: catching up comes first.
        let mut early = Vec::new();
        let caught_up = {
            let backfill = self.backfill();
            tokio::pin!(backfill);
            let mut open = true;
            loop {
                tokio::select! {
                    r = &mut backfill => break r,
                    n = out.response_stream.recv(), if open => {
                        open = matches!(n, Ok(Some(_)));
                        early.push(n);
                    }
                }
            }
        };
        match caught_up? {
            None => return Ok(Round::Closed),
            Some(false) => return Ok(Round::Behind),
            Some(true) => {}
        }
        if !self.announce(TailMode::LiveTail).await {
            return Ok(Round::Closed);
        }
        for n in early {
            match self.take(n, &arn_to_group).await {
                Step::Go => {}
                Step::Closed => return Ok(Round::Closed),
                Step::Ended => return Ok(Round::SessionEnded(started.elapsed())),
            }
        }
        let renew_at = tokio::time::Instant::now() + SESSION_RENEW_AFTER;
        loop {
            let next = tokio::select! {
                n = out.response_stream.recv() => n,
                _ = tokio::time::sleep(HEARTBEAT) => {
                    return Ok(Round::Silent(started.elapsed()));
                }
                _ = tokio::time::sleep_until(renew_at) => break,
            };
            let now = Instant::now();
            self.src
                .bill(Api::StartLiveTail, (now - billed_at).as_secs_f64() / 60.0);
            billed_at = now;
            match self.take(next, &arn_to_group).await {
                Step::Go => {}
                Step::Closed => return Ok(Round::Closed),
                Step::Ended => break,
            }
        }
        Ok(Round::SessionEnded(started.elapsed()))
    }

    /// One update of a Live Tail session: its events delivered, its sampling said.
    async fn take<E: std::error::Error + 'static>(
        &mut self,
        next: Result<Option<StartLiveTailResponseStream>, E>,
        arn_to_group: &HashMap<String, String>,
    ) -> Step {
        match next {
            Ok(Some(StartLiveTailResponseStream::SessionUpdate(u))) => {
                let sampled = u.session_metadata().is_some_and(|m| m.sampled());
                if sampled != self.sampled {
                    self.sampled = sampled;
                    if self.tx.send(TailUpdate::Sampled(sampled)).await.is_err() {
                        return Step::Closed;
                    }
                }
                // Only the groups asked for: an emulator (moto) sends every group's events.
                let mut events = u
                    .session_results()
                    .iter()
                    .filter_map(|e| {
                        let id = e.log_group_identifier().unwrap_or_default();
                        let group = arn_to_group.get(id).cloned().or_else(|| {
                            let name = group_name_of(id);
                            self.req.log_groups.contains(&name).then_some(name)
                        })?;
                        Some(LogEvent::new(
                            group,
                            e.log_stream_name().unwrap_or_default().to_string(),
                            e.timestamp().unwrap_or_default(),
                            e.ingestion_time().unwrap_or_default(),
                            e.message().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect::<Vec<_>>();
                // Live Tail sends no event id: identity is the content, as everywhere.
                self.live_ids.stamp(&mut events);
                if self.deliver(events, true).await {
                    Step::Go
                } else {
                    Step::Closed
                }
            }
            Ok(Some(_)) => Step::Go,
            Ok(None) => Step::Ended,
            Err(e) => {
                // SessionTimeoutException (3 h) or a server-side stream error: renew.
                let text = aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                tracing::info!(reason = %text, "Live Tail session ended with an error");
                Step::Ended
            }
        }
    }
}

/// `arn:aws:logs:eu-west-1:123:log-group:/aws/lambda/x` → `/aws/lambda/x`.
fn group_name_of(identifier: &str) -> String {
    identifier
        .split_once(":log-group:")
        .map_or(identifier, |(_, n)| n)
        .trim_end_matches(":*")
        .to_string()
}

struct RetryBackoff;

impl RetryBackoff {
    /// 1 s, 2 s, 4 s … capped at 30 s, jittered; forever.
    fn outage(attempt: u32, draw: f64) -> Duration {
        let exp = Duration::from_secs(1).saturating_mul(1 << attempt.min(5));
        exp.min(MAX_OUTAGE_BACKOFF).mul_f64(0.75 + 0.25 * draw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: EpochMs, msg: &str) -> LogEvent {
        LogEvent::new("/aws/lambda/a".into(), "s".into(), ts, ts, msg.into())
    }

    #[test]
    fn seen_is_by_identity_the_same_for_every_api() {
        let mut s = Seen::default();
        let polled = ev(1, "START");
        // Live Tail's copy of the same event, built the way the live path builds it.
        let live = LogEvent::new(
            polled.log_group.clone(),
            polled.log_stream.clone(),
            1,
            9,
            "START".into(),
        );
        assert!(s.first_time(&polled));
        assert!(!s.first_time(&live));
        assert!(s.first_time(&ev(1, "END")));
    }

    #[test]
    fn identical_events_in_two_live_batches_are_both_kept() {
        // The same line printed twice in one millisecond, the copies in two session updates.
        let mut ids = LiveIds::default();
        let mut first = vec![ev(5, ".")];
        let mut second = vec![ev(5, ".")];
        ids.stamp(&mut first);
        ids.stamp(&mut second);
        let mut seen = Seen::default();
        assert!(seen.first_time(&first[0]));
        assert!(
            seen.first_time(&second[0]),
            "the second copy is not a duplicate"
        );
        // FilterLogEvents numbers the pair the same way within one page: a re-read drops both.
        let mut page = vec![ev(5, "."), ev(5, ".")];
        crate::domain::stamp_event_ids(&mut page);
        assert!(!seen.first_time(&page[0]) && !seen.first_time(&page[1]));
    }

    #[test]
    fn group_names_from_arns() {
        assert_eq!(
            group_name_of("arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/x:*"),
            "/aws/lambda/x"
        );
        assert_eq!(group_name_of("/aws/lambda/y"), "/aws/lambda/y");
    }

    #[test]
    fn outage_backoff_grows_and_caps() {
        assert!(RetryBackoff::outage(0, 0.0) < RetryBackoff::outage(3, 0.0));
        assert!(RetryBackoff::outage(40, 1.0) <= MAX_OUTAGE_BACKOFF);
    }
}
