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
    EpochMs, LogEvent, LogPage, LogQuery, MAX_INSIGHTS_GROUPS, MINUTE_MS, SourceError, StreamQuery,
    TimeWindow, group_problem, stamp_event_ids,
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
    /// Reads (of `pages_per_read` pages each) a newest-first scan goes on with FilterLogEvents'
    /// token while the pages come back nearly empty, before the rest is reported as a gap.
    pub scan_reads: usize,
    /// Above this many groups, the newest page comes from Logs Insights rather than one
    /// FilterLogEvents read per group.
    pub insights_above_groups: usize,
}

impl Default for LogLimits {
    fn default() -> Self {
        LogLimits {
            pages_per_read: 100,
            backfill_events: 10_000,
            catchup_rounds: 10,
            scan_reads: 10,
            insights_above_groups: 20,
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

    /// Where a newest-first page ends: the window's end, or where the last page stopped.
    fn page_end(&self, window: TimeWindow) -> EpochMs {
        self.before.unwrap_or(window.end).min(window.end)
    }

    /// The token of the next older page, which ends at `before`: what this page delivered in
    /// `[from, before)` is skipped there, with what was skipped before if it is the same span
    /// (`end` is where this page ended).
    fn below(self, from: EpochMs, before: EpochMs, events: &[LogEvent], end: EpochMs) -> String {
        let mut skip: Vec<String> = events
            .iter()
            .filter(|e| e.timestamp >= from && e.timestamp < before)
            .map(|e| e.event_id.clone())
            .collect();
        if before == end {
            skip.extend(self.skip_before.iter().cloned());
        }
        Cursor {
            before: Some(before),
            skip_before: skip,
            ..self
        }
        .encode()
    }
}

/// An Insights row of `fields @timestamp, @message, @logStream, @log` as an event. `@log` is
/// `account:group`; `@timestamp` is `2026-12-02 09:00:00.000` in UTC.
fn insights_event(row: &[(String, String)]) -> Option<LogEvent> {
    let field = |name: &str| row.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let stamp = field("@timestamp")?;
    // Emulators (moto) answer epoch milliseconds.
    let at = match stamp.parse::<EpochMs>() {
        Ok(ms) => ms,
        Err(_) => chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.f")
            .ok()?
            .and_utc()
            .timestamp_millis(),
    };
    let log = field("@log")?;
    let group = log.split_once(':').map_or(log, |(_, g)| g);
    Some(LogEvent::new(
        group.to_string(),
        field("@logStream").unwrap_or_default().to_string(),
        at,
        at,
        field("@message").unwrap_or_default().to_string(),
    ))
}

/// An AccessDenied, kept: when every group is denied, that is the page's answer.
fn denial(e: SourceError) -> Option<SourceError> {
    matches!(e, SourceError::AccessDenied { .. }).then_some(e)
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
        let many = query.log_groups.len() > self.log_limits().insights_above_groups;
        if query.newest_first && many && query.filter_pattern.trim().is_empty() {
            self.logs_newest_by_insights(query, cursor, limit).await
        } else if query.newest_first {
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
        let mut unreadable: Vec<(usize, String)> = Vec::new();
        let mut denied = None;
        for (gi, gc) in cursor.groups.iter().enumerate().filter(|(_, g)| !g.done) {
            let start = gc
                .from
                .unwrap_or(query.window.start)
                .max(query.window.start);
            let window = TimeWindow::new(start, query.window.end);
            let read = self
                .filter_group(
                    &gc.group,
                    window,
                    &query.filter_pattern,
                    gc.token.clone(),
                    limit,
                )
                .await;
            let (mut events, token) = match read {
                Ok(r) => r,
                Err(e) => match group_problem(&e) {
                    // This group's own trouble: the others are read, and it is named.
                    Some(why) => {
                        denied = denied.or(denial(e));
                        unreadable.push((gi, why));
                        continue;
                    }
                    None => return Err(e),
                },
            };
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
        if let Some(e) = denied.filter(|_| unreadable.len() == cursor.groups.len()) {
            return Err(e); // nothing can be read: say why, not "no logs"
        }
        let unreadable = unreadable
            .into_iter()
            .map(|(gi, why)| {
                let gc = &mut cursor.groups[gi];
                gc.done = true;
                (gc.group.clone(), why)
            })
            .collect();
        let next_token = cursor
            .groups
            .iter()
            .any(|g| !g.done)
            .then(|| cursor.encode());
        Ok(LogPage {
            events,
            next_token,
            unreadable,
            ..Default::default()
        })
    }

    /// Newest first over many groups: FilterLogEvents reads one group a call (10 calls a
    /// second at most in most regions), so hundreds of groups would take minutes a page. One
    /// Logs Insights query per 50 groups, run together, finds the newest `limit` events of all
    /// (billed by the bytes it scans, which the cost meter counts).
    async fn logs_newest_by_insights(
        &self,
        query: &LogQuery,
        cursor: Cursor,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        let end = cursor.page_end(query.window);
        if end <= query.window.start {
            return Ok(LogPage::default());
        }
        // Insights reads whole seconds: a page covers up to the end of the second `end - 1`
        // falls in, so pages after the first end on a second, and what a page delivered of its
        // oldest second is skipped by the next (which asks for that many more).
        let asked_limit = limit + cursor.skip_before.len();
        let text = format!(
            "fields @timestamp, @message, @logStream, @log | sort @timestamp desc | limit {asked_limit}"
        );
        let last_second = (end - 1).div_euclid(1000) * 1000;
        let asked = TimeWindow::new(query.window.start, last_second + 1000);
        let reads = query
            .log_groups
            .chunks(MAX_INSIGHTS_GROUPS)
            .map(|groups| self.insights(groups, &text, asked));
        let mut found: Vec<LogEvent> = Vec::new();
        let mut truncated = false;
        for rows in futures::future::join_all(reads).await {
            match rows {
                Ok(rows) => {
                    truncated |= rows.len() >= asked_limit;
                    found.extend(rows.iter().filter_map(|row| insights_event(row)));
                }
                // One group missing fails its whole query, and says not which: read group by
                // group instead, which names it and reads the others.
                Err(e) if group_problem(&e).is_some() => {
                    return self.logs_newest(query, cursor, limit).await;
                }
                Err(e) => return Err(e),
            }
        }
        stamp_event_ids(&mut found);
        found.retain(|e| {
            e.timestamp >= query.window.start
                && e.timestamp < end
                && !(e.timestamp >= last_second && cursor.skip_before.contains(&e.event_id))
        });
        found.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let cut = found.len() > limit;
        let events = found.split_off(found.len().saturating_sub(limit));
        let next_token = match events.first() {
            Some(oldest) if cut || truncated => {
                let second = oldest.timestamp.div_euclid(1000) * 1000;
                Some(cursor.below(second, second + 1000, &events, last_second + 1000))
            }
            _ => None,
        };
        Ok(LogPage {
            events,
            next_token,
            ..Default::default()
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
        let end = cursor.page_end(query.window);
        let mut hi = end;
        let mut span = 5 * MINUTE_MS;
        let mut found: Vec<LogEvent> = Vec::new();
        let mut gaps = Vec::new();
        let mut unreadable: Vec<(String, String)> = Vec::new();
        let mut denied = None;
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
                if unreadable.iter().any(|(g, _)| *g == gc.group) {
                    continue;
                }
                let read = self
                    .newest_in(
                        &gc.group,
                        TimeWindow::new(lo, hi),
                        &query.filter_pattern,
                        limit,
                    )
                    .await;
                let (events, from, gap) = match read {
                    Ok(r) => r,
                    Err(e) => match group_problem(&e) {
                        Some(why) => {
                            denied = denied.or(denial(e));
                            unreadable.push((gc.group.clone(), why));
                            continue;
                        }
                        None => return Err(e),
                    },
                };
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
        if let Some(e) = denied.filter(|_| unreadable.len() == cursor.groups.len()) {
            return Err(e); // nothing can be read: say why, not "no logs"
        }
        found.retain(|e| e.timestamp >= floor);
        found.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let more_before = floor > query.window.start;
        let cut = found.len() > limit;
        let events: Vec<LogEvent> = found.split_off(found.len().saturating_sub(limit));
        let next_token = match events.first() {
            Some(oldest) if cut => {
                let t = oldest.timestamp;
                Some(cursor.below(t, t + 1, &events, end))
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
            unreadable,
        })
    }

    /// The newest events of one group in `window`, at most about `want`: returns them, the
    /// start of the span actually read (above `window.start` when it had to narrow), and the
    /// span it could not read at all.
    ///
    /// FilterLogEvents scans a busy group for a rare match in empty pages that carry a token:
    /// that means "still scanning", so the read goes on with the token. Only a span whose events
    /// fill the page is narrowed towards its end.
    async fn newest_in(
        &self,
        group: &str,
        window: TimeWindow,
        pattern: &str,
        want: usize,
    ) -> Result<(Vec<LogEvent>, EpochMs, Option<TimeWindow>), SourceError> {
        let mut lo = window.start;
        let mut events: Vec<LogEvent> = Vec::new();
        let mut token: Option<String> = None;
        let mut reads = 0;
        loop {
            let (more, next) = self
                .filter_group(
                    group,
                    TimeWindow::new(lo, window.end),
                    pattern,
                    token.take(),
                    want.saturating_sub(events.len()).max(1),
                )
                .await?;
            events.extend(more);
            reads += 1;
            let Some(next) = next else {
                return Ok((events, lo, None));
            };
            let full = events.len() >= want;
            if !full && reads < self.log_limits().scan_reads {
                token = Some(next); // still scanning: go on where it stopped
                continue;
            }
            if window.end - lo <= NARROWEST_SPAN_MS || !full {
                // Too busy to narrow further, or scanned as long as allowed: keep what was
                // read, report the rest.
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
            events.clear();
            reads = 0;
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
            ..Default::default()
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
    fn insights_rows_become_events_of_their_group() {
        let row: Vec<(String, String)> = [
            ("@timestamp", "2026-12-02 09:00:01.250"),
            ("@message", "START RequestId: r1"),
            ("@logStream", "2026/12/02/[$LATEST]abc"),
            ("@log", "123456789012:/aws/lambda/a"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let e = insights_event(&row).expect("an event");
        assert_eq!(e.log_group, "/aws/lambda/a");
        assert_eq!(e.timestamp, 1_796_202_001_250);
        assert_eq!(e.message, "START RequestId: r1");
        assert!(insights_event(&row[1..]).is_none(), "no time, no event");
    }

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
