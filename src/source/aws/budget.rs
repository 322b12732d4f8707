//! The request budget: one token bucket per API, with adaptive backoff on throttling.
//!
//! Pure logic: every method takes `now` (milliseconds on any monotonic clock) and, where chance is
//! involved, the random draw, so tests drive it with a fake clock. [`super::AwsSource`] wraps one
//! `Budget` per account+region in a mutex that every clone and every screen shares.

use std::collections::BTreeMap;
use std::time::Duration;

use super::api::Api;

/// Monotonic milliseconds.
pub type Millis = u64;

/// How hard to back off. The defaults suit AWS; tests shrink them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// First throttling backoff; doubles on each throttle in a row.
    pub base: Duration,
    /// Longest single backoff.
    pub max: Duration,
    /// One-shot calls give up after this many throttles in a row (tails never give up).
    pub throttle_attempts: u32,
    /// One-shot calls give up after this many network or 5xx failures in a row.
    pub transient_attempts: u32,
    /// One attempt that has not answered by then is abandoned (an endpoint that accepts the
    /// connection and never answers must not hold a screen forever).
    pub attempt_timeout: Duration,
    /// No retry starts past this, counted from the first attempt: the longest a one-shot call
    /// can take before it says "timed out" (the AWS CLI waits 60 s).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            max: Duration::from_secs(20),
            throttle_attempts: 6,
            transient_attempts: 3,
            attempt_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The defaults with a deadline of `total` per call, a third of it per attempt.
    pub fn with_deadline(total: Duration) -> RetryPolicy {
        let total = total.max(Duration::from_secs(1));
        RetryPolicy {
            attempt_timeout: (total / 3).max(Duration::from_millis(500)),
            deadline: total,
            ..RetryPolicy::default()
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so clients spread out
    /// but never retry instantly. `draw` is uniform in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, draw: f64) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.max);
        capped.mul_f64(0.5 + 0.5 * draw.clamp(0.0, 1.0))
    }
}

#[derive(Debug, Clone)]
struct Bucket {
    /// Current allowed rate; lowered on throttling, raised again on success (AIMD).
    rate: f64,
    quota: f64,
    tokens: f64,
    last: Millis,
    /// Requests wait until then after a throttle.
    paused_until: Millis,
    throttles_in_a_row: u32,
}

impl Bucket {
    fn new(quota: f64, now: Millis) -> Self {
        // Stay at 80 % of the quota: it is account-wide and shared with other tools.
        let rate = quota * 0.8;
        Self {
            rate,
            quota,
            tokens: rate.max(1.0),
            last: now,
            paused_until: 0,
            throttles_in_a_row: 0,
        }
    }
    fn refill(&mut self, now: Millis) {
        let dt = now.saturating_sub(self.last) as f64 / 1000.0;
        self.tokens = (self.tokens + dt * self.rate).min(self.rate.max(1.0));
        self.last = now;
    }
}

/// Token buckets and throttle state for every API of one account+region.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    buckets: BTreeMap<Api, Bucket>,
}

impl Budget {
    pub fn new() -> Self {
        Self::default()
    }

    fn bucket(&mut self, api: Api, now: Millis) -> &mut Bucket {
        self.buckets
            .entry(api)
            .or_insert_with(|| Bucket::new(api.quota_per_s(), now))
    }

    /// Takes a token for `api` or says how long to wait before asking again.
    pub fn try_acquire(&mut self, api: Api, now: Millis) -> Result<(), Duration> {
        let b = self.bucket(api, now);
        if now < b.paused_until {
            return Err(Duration::from_millis(b.paused_until - now));
        }
        b.refill(now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - b.tokens;
            Err(Duration::from_secs_f64(missing / b.rate).max(Duration::from_millis(1)))
        }
    }

    /// Records a throttle: halves the rate, pauses the API and returns how long to wait.
    /// A server hint (Retry-After) wins when it is longer.
    pub fn on_throttle(
        &mut self,
        api: Api,
        now: Millis,
        policy: &RetryPolicy,
        hint: Option<Duration>,
        draw: f64,
    ) -> Duration {
        let b = self.bucket(api, now);
        let wait = policy
            .backoff(b.throttles_in_a_row, draw)
            .max(hint.unwrap_or_default());
        b.throttles_in_a_row += 1;
        b.rate = (b.rate / 2.0).max(0.2);
        b.tokens = b.tokens.min(1.0);
        b.paused_until = b.paused_until.max(now + wait.as_millis() as u64);
        wait
    }

    /// Records a success: the throttle streak ends and the rate creeps back up to the quota.
    pub fn on_success(&mut self, api: Api, now: Millis) {
        let b = self.bucket(api, now);
        b.throttles_in_a_row = 0;
        b.rate = (b.rate + b.quota * 0.05).min(b.quota * 0.8);
    }

    /// Current allowed rate for `api` (requests per second).
    pub fn rate(&self, api: Api) -> f64 {
        self.buckets
            .get(&api)
            .map_or(api.quota_per_s() * 0.8, |b| b.rate)
    }

    /// "throttled: FilterLogEvents, retrying in 4 s" while any API is paused by a throttle.
    pub fn throttled_status(&self, now: Millis) -> Option<String> {
        let (api, until) = self
            .buckets
            .iter()
            .filter(|(_, b)| b.paused_until > now && b.throttles_in_a_row > 0)
            .max_by_key(|(_, b)| b.paused_until)?;
        let secs = (until.paused_until - now).div_ceil(1000).max(1);
        Some(format!("throttled: {}, retrying in {secs} s", api.name()))
    }
}

/// A small xorshift generator for jitter; no need for a crate.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }
    /// Uniform in `[0, 1)`.
    pub fn draw(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_about_the_quota_per_second() {
        let mut b = Budget::new();
        let mut granted = 0;
        // Ten simulated seconds, asking every millisecond.
        for now in 0..10_000 {
            if b.try_acquire(Api::FilterLogEvents, now).is_ok() {
                granted += 1;
            }
        }
        // 80 % of 5/s over 10 s, plus the initial burst.
        assert!((40..=45).contains(&granted), "granted {granted}");
    }

    #[test]
    fn empty_bucket_says_how_long_to_wait() {
        let mut b = Budget::new();
        while b.try_acquire(Api::DescribeLogGroups, 0).is_ok() {}
        let wait = b.try_acquire(Api::DescribeLogGroups, 0).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(250),
            "{wait:?}"
        );
    }

    #[test]
    fn throttle_pauses_backs_off_and_reports() {
        let policy = RetryPolicy::default();
        let mut b = Budget::new();
        let w1 = b.on_throttle(Api::FilterLogEvents, 1_000, &policy, None, 0.0);
        let w2 = b.on_throttle(Api::FilterLogEvents, 1_000, &policy, None, 0.0);
        assert_eq!(w1, Duration::from_millis(250));
        assert_eq!(w2, Duration::from_millis(500));
        assert!(b.rate(Api::FilterLogEvents) < 2.0);
        assert!(b.try_acquire(Api::FilterLogEvents, 1_100).is_err());
        assert_eq!(
            b.throttled_status(1_100).as_deref(),
            Some("throttled: FilterLogEvents, retrying in 1 s")
        );
        // Other APIs are not affected.
        assert!(b.try_acquire(Api::GetMetricData, 1_100).is_ok());
        // Once the pause is over, calls flow and the status clears.
        assert_eq!(b.throttled_status(5_000), None);
        assert!(b.try_acquire(Api::FilterLogEvents, 5_000).is_ok());
    }

    #[test]
    fn retry_after_hint_wins_when_longer() {
        let policy = RetryPolicy::default();
        let mut b = Budget::new();
        let w = b.on_throttle(
            Api::ListFunctions,
            0,
            &policy,
            Some(Duration::from_secs(4)),
            0.5,
        );
        assert_eq!(w, Duration::from_secs(4));
        assert_eq!(
            b.throttled_status(0).as_deref(),
            Some("throttled: ListFunctions, retrying in 4 s")
        );
    }

    #[test]
    fn success_restores_the_rate_gradually() {
        let policy = RetryPolicy::default();
        let mut b = Budget::new();
        b.on_throttle(Api::GetMetricData, 0, &policy, None, 0.0);
        let low = b.rate(Api::GetMetricData);
        b.on_success(Api::GetMetricData, 10);
        assert!(b.rate(Api::GetMetricData) > low);
        for _ in 0..100 {
            b.on_success(Api::GetMetricData, 10);
        }
        assert_eq!(b.rate(Api::GetMetricData), 40.0);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(30, 1.0), p.max);
        assert_eq!(p.backoff(30, 0.0), p.max / 2);
        let mut j = Jitter::new(42);
        for _ in 0..1000 {
            let d = j.draw();
            assert!((0.0..1.0).contains(&d));
        }
    }
}
