//! CloudWatch Logs: FilterLogEvents over several groups, merged by time, with a resumable cursor.
//!
//! FilterLogEvents reads one group per call, so a query over several groups runs one cursor per
//! group. Our `next_token` is that set of cursors, serialised; callers treat it as opaque.
//!
//! Every read is bounded ([`LogLimits`]): a page never holds more than its limit, and a span
//! that could not be read within the bound comes back as a gap on the page, never silently.

use serde::{Deserialize, Serialize};

use super::{Api, AwsSource};
use crate::domain::{
    EpochMs, LogEvent, LogPage, LogQuery, MINUTE_MS, SourceError, StreamQuery, TimeWindow,
    stamp_event_ids,
};

/// FilterLogEvents returns at most 10,000 events a page.
const MAX_PAGE_EVENTS: usize = 10_000;
/// Newest-first reading narrows a span that holds too many events down to this before it gives
/// up and reports the rest of the span as a gap.
const NARROWEST_SPAN_MS: EpochMs = 1_000;

/// How much one read may fetch. Tests shrink them to reach the edges with a few events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimits {
    /// FilterLogEvents calls for one group in one read (pages may be empty while a token
    /// remains); past it the token is handed back, or the span reported.
    pub pages_per_read: usize,
    /// Events one tail backfill round reads from one group.
    pub backfill_events: usize,
    /// Backfill rounds a group may take to catch up after an outage before the tail skips to
    /// the present and reports the span it could not read.
    pub catchup_rounds: u32,
}

impl Default for LogLimits {
    fn default() -> Self {
        LogLimits {
            pages_per_read: 100,
            backfill_events: 10_000,
            catchup_rounds: 10,
        }
    }
}

/// Where one group's reading stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct GroupCursor {
    group: String,
    /// FilterLogEvents' own token, valid for a query starting at `from`.
    token: Option<String>,
    /// Resume at this timestamp instead of the window start.
    from: Option<EpochMs>,
    /// Events at `from` already delivered.
    skip: Vec<String>,
    done: bool,
}

/// The opaque `next_token` of [`LogPage`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Cursor {
    groups: Vec<GroupCursor>,
    /// Newest-first paging: the next page ends here (exclusive of later events).
    before: Option<EpochMs>,
    /// Events at `before - 1` already delivered.
    skip_before: Vec<String>,
}

impl Cursor {
    fn decode(token: &str) -> Result<Cursor, SourceError> {
        serde_json::from_str(token)
            .map_err(|_| SourceError::Other("the log page token is not valid any more".into()))
    }
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn sort_key(e: &LogEvent) -> (EpochMs, &str, &str) {
    (e.timestamp, e.log_group.as_str(), e.event_id.as_str())
}

impl AwsSource {
    /// One page of matching events, ascending by time, and a token for the next page.
    pub async fn logs(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        let limit = query.limit.max(1);
        let cursor = match &query.next_token {
            Some(t) => Cursor::decode(t)?,
            None => Cursor {
                groups: query
                    .log_groups
                    .iter()
                    .map(|g| GroupCursor {
                        group: g.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
        };
        if query.newest_first {
            self.logs_newest(query, cursor, limit).await
        } else {
            self.logs_oldest(query, cursor, limit).await
        }
    }

    async fn logs_oldest(
        &self,
        query: &LogQuery,
        mut cursor: Cursor,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        let mut fetched: Vec<(usize, Vec<LogEvent>, Option<String>)> = Vec::new();
        for (gi, gc) in cursor.groups.iter().enumerate().filter(|(_, g)| !g.done) {
            let start = gc
                .from
                .unwrap_or(query.window.start)
                .max(query.window.start);
            let window = TimeWindow::new(start, query.window.end);
            let (mut events, token) = self
                .filter_group(
                    &gc.group,
                    window,
                    &query.filter_pattern,
                    gc.token.clone(),
                    limit,
                )
                .await?;
            events.retain(|e| !(Some(e.timestamp) == gc.from && gc.skip.contains(&e.event_id)));
            fetched.push((gi, events, token));
        }
        let mut all: Vec<&LogEvent> = fetched.iter().flat_map(|(_, ev, _)| ev.iter()).collect();
        all.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        all.truncate(limit);
        let last = all
            .last()
            .map(|e| (e.timestamp, e.log_group.clone(), e.event_id.clone()));
        let taken = |e: &LogEvent| match &last {
            Some((t, g, id)) => sort_key(e) <= (*t, g.as_str(), id.as_str()),
            None => false,
        };
        let events: Vec<LogEvent> = all.into_iter().cloned().collect();
        for (gi, group_events, token) in fetched {
            let gc = &mut cursor.groups[gi];
            match group_events.iter().find(|e| !taken(e)) {
                // Fetched more than fits: resume at the first event not delivered.
                Some(first_left) => {
                    let from = first_left.timestamp;
                    let mut skip: Vec<String> = group_events
                        .iter()
                        .filter(|e| e.timestamp == from && taken(e))
                        .map(|e| e.event_id.clone())
                        .collect();
                    if gc.from == Some(from) {
                        skip.append(&mut gc.skip);
                    }
                    *gc = GroupCursor {
                        group: gc.group.clone(),
                        token: None,
                        from: Some(from),
                        skip,
                        done: false,
                    };
                }
                None => match token {
                    Some(t) => gc.token = Some(t),
                    None => gc.done = true,
                },
            }
        }
        let next_token = cursor
            .groups
            .iter()
            .any(|g| !g.done)
            .then(|| cursor.encode());
        Ok(LogPage {
            events,
            next_token,
            gaps: vec![],
        })
    }

    /// Newest first: look back from the end in growing steps until `limit` events are found.
    /// A step that holds more than a page for some group is narrowed towards its end, so the
    /// newest events are the ones read; what lies below the narrowed start is left to the next
    /// page (its token says where), and a span too busy to narrow further is reported as a gap.
    async fn logs_newest(
        &self,
        query: &LogQuery,
        cursor: Cursor,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        let end = cursor
            .before
            .unwrap_or(query.window.end)
            .min(query.window.end);
        let mut hi = end;
        let mut span = 5 * MINUTE_MS;
        let mut found: Vec<LogEvent> = Vec::new();
        let mut gaps = Vec::new();
        // Everything at or above `floor` (up to `end`) has been read.
        let mut floor = end;
        for _ in 0..64 {
            if hi <= query.window.start || found.len() >= limit {
                break;
            }
            let lo = (hi - span).max(query.window.start);
            let mut covered = lo;
            let gaps_before = gaps.len();
            for gc in &cursor.groups {
                let (events, from, gap) = self
                    .newest_in(
                        &gc.group,
                        TimeWindow::new(lo, hi),
                        &query.filter_pattern,
                        limit,
                    )
                    .await?;
                covered = covered.max(from);
                gaps.extend(gap);
                found.extend(events.into_iter().filter(|e| {
                    !(e.timestamp == end - 1 && cursor.skip_before.contains(&e.event_id))
                }));
            }
            // A busy group was read from `covered` only: what lies below it, for every group,
            // is read by the next step (or page).
            found.retain(|e| e.timestamp >= covered);
            floor = covered;
            hi = covered;
            if gaps.len() > gaps_before {
                break;
            }
            if covered == lo {
                span *= 4;
            }
        }
        found.retain(|e| e.timestamp >= floor);
        found.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let more_before = floor > query.window.start;
        let cut = found.len() > limit;
        let events: Vec<LogEvent> = found.split_off(found.len().saturating_sub(limit));
        let next_token = match events.first() {
            Some(oldest) if cut => {
                let t = oldest.timestamp;
                let mut skip: Vec<String> = events
                    .iter()
                    .filter(|e| e.timestamp == t)
                    .map(|e| e.event_id.clone())
                    .collect();
                if t == end - 1 {
                    skip.extend(cursor.skip_before.iter().cloned());
                }
                Some(
                    Cursor {
                        before: Some(t + 1),
                        skip_before: skip,
                        ..cursor
                    }
                    .encode(),
                )
            }
            _ if more_before => Some(
                Cursor {
                    before: Some(floor),
                    skip_before: vec![],
                    ..cursor
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(LogPage {
            events,
            next_token,
            gaps,
        })
    }

    /// The newest events of one group in `window`, at most about `want`: returns them, the
    /// start of the span actually read (above `window.start` when it had to narrow), and the
    /// span it could not read at all.
    async fn newest_in(
        &self,
        group: &str,
        window: TimeWindow,
        pattern: &str,
        want: usize,
    ) -> Result<(Vec<LogEvent>, EpochMs, Option<TimeWindow>), SourceError> {
        let mut lo = window.start;
        loop {
            let (events, token) = self
                .filter_group(group, TimeWindow::new(lo, window.end), pattern, None, want)
                .await?;
            if token.is_none() {
                return Ok((events, lo, None));
            }
            if window.end - lo <= NARROWEST_SPAN_MS {
                // Too busy to narrow further: keep what was read, report the rest.
                let read_to = events.last().map_or(lo, |e| e.timestamp + 1);
                let gap = TimeWindow::new(read_to, window.end);
                return Ok((events, lo, (gap.len_ms() > 0).then_some(gap)));
            }
            // At least halve; further when the density read so far says `want` events fit in
            // less (each step is paid in calls).
            let read = events.last().map_or(1, |e| (e.timestamp - lo).max(1));
            let estimate = read.saturating_mul(want as EpochMs) / events.len().max(1) as EpochMs;
            let halved = lo + (window.end - lo) / 2;
            lo = halved.max(window.end - estimate.max(NARROWEST_SPAN_MS / 2));
        }
    }

    /// One stream in time order (GetLogEvents, from the head). The page token is the forward
    /// token; the end is reached when AWS hands back the token it was sent.
    pub async fn stream_events(&self, q: &StreamQuery) -> Result<LogPage, SourceError> {
        let logs = &self.clients().logs;
        let sent = q.next_token.clone();
        let page = self
            .call(Api::GetLogEvents, || {
                logs.get_log_events()
                    .log_group_name(&q.log_group)
                    .log_stream_name(&q.log_stream)
                    .start_time(q.window.start)
                    .end_time(q.window.end)
                    .start_from_head(true)
                    .limit(q.limit.clamp(1, MAX_PAGE_EVENTS) as i32)
                    .set_next_token(sent.clone())
                    .send()
            })
            .await?;
        // GetLogEvents returns no event id: identity is the content, as everywhere.
        let mut events: Vec<LogEvent> = page
            .events()
            .iter()
            .map(|e| {
                LogEvent::new(
                    q.log_group.clone(),
                    q.log_stream.clone(),
                    e.timestamp().unwrap_or_default(),
                    e.ingestion_time().unwrap_or_default(),
                    e.message().unwrap_or_default().to_string(),
                )
            })
            .collect();
        stamp_event_ids(&mut events);
        let next_token = page
            .next_forward_token()
            .filter(|t| !t.is_empty() && sent.as_deref() != Some(*t))
            .map(str::to_string);
        Ok(LogPage {
            events,
            next_token,
            gaps: vec![],
        })
    }

    /// Pages one group until `want` events or the end; returns the events and the token to go on.
    async fn filter_group(
        &self,
        group: &str,
        window: TimeWindow,
        pattern: &str,
        mut token: Option<String>,
        want: usize,
    ) -> Result<(Vec<LogEvent>, Option<String>), SourceError> {
        let logs = &self.clients().logs;
        let mut events = Vec::new();
        let pattern = Some(pattern.to_string()).filter(|p| !p.trim().is_empty());
        for _ in 0..self.log_limits().pages_per_read.max(1) {
            let limit = (want - events.len()).clamp(1, MAX_PAGE_EVENTS) as i32;
            let page = self
                .call(Api::FilterLogEvents, || {
                    logs.filter_log_events()
                        .log_group_name(group)
                        .start_time(window.start)
                        // FilterLogEvents' end is inclusive; our windows are half-open.
                        .end_time(window.end - 1)
                        .set_filter_pattern(pattern.clone())
                        .limit(limit)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            events.extend(page.events().iter().map(|e| {
                LogEvent::new(
                    group.to_string(),
                    e.log_stream_name().unwrap_or_default().to_string(),
                    e.timestamp().unwrap_or_default(),
                    e.ingestion_time().unwrap_or_default(),
                    e.message().unwrap_or_default().to_string(),
                )
            }));
            // Empty pages may still carry a token: keep going.
            token = page
                .next_token()
                .filter(|t| !t.is_empty() && token.as_deref() != Some(*t))
                .map(str::to_string);
            if token.is_none() || events.len() >= want {
                break;
            }
        }
        // FilterLogEvents' own ids are not what the other APIs can know: one rule for all.
        events.sort_by_key(|e| e.timestamp);
        stamp_event_ids(&mut events);
        Ok((events, token))
    }

    /// Up to `want` events of one group from the start of the window, oldest first; the token
    /// is `Some` when more remain.
    pub(super) async fn filter_group_from(
        &self,
        group: &str,
        window: TimeWindow,
        pattern: &str,
        want: usize,
    ) -> Result<(Vec<LogEvent>, Option<String>), SourceError> {
        self.filter_group(group, window, pattern, None, want).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            groups: vec![GroupCursor {
                group: "/aws/lambda/a".into(),
                token: Some("t".into()),
                ..Default::default()
            }],
            before: Some(5),
            skip_before: vec!["x".into()],
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not json").is_err());
    }
}
