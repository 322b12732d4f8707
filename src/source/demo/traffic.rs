//! Traffic as a pure function of (seed, function, minute, index).
//!
//! Every invocation attempt is derived from its own hash, so metrics, logs and traces for any
//! window are computed from exactly the attempts in it and agree by construction. State that
//! spans minutes (deploy times, the incident, the throttling backlog) is a function of the seed
//! and the demo's `anchor` (the moment the account was opened).

use super::catalog::{FunctionSpec, INCIDENT_FUNCTION, Runtime, THROTTLED_FUNCTION, Trigger};
use crate::domain::{DAY_MS, EpochMs, MINUTE_MS};

/// splitmix64: a fast, well-mixed 64-bit hash step.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x51_7cc1_b727_220a, |acc, &p| mix(acc ^ p))
}

/// A value in `[0, 1)` from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// An approximately standard normal value (Irwin–Hall with four uniforms).
fn normal(h: u64) -> f64 {
    let s: f64 = (0..4).map(|i| unit(mix(h ^ (i + 1)))).sum();
    (s - 2.0) * 3f64.sqrt()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Ok,
    Error,
    Timeout,
}

/// One invocation attempt. Throttled attempts never ran: no logs, no REPORT, no trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attempt {
    pub f: usize,
    pub minute: i64,
    pub idx: u32,
    /// Its own hash; ids and details derive from it.
    pub key: u64,
    /// When the request reached Lambda (the metric timestamp).
    pub arrival: EpochMs,
    pub throttled: bool,
    /// Cold start: init (or SnapStart restore) ran before the handler.
    pub cold: bool,
    pub init_ms: f64,
    pub duration_ms: f64,
    pub max_memory_mb: u32,
    pub fate: Fate,
}

impl Attempt {
    /// When START is logged (after init on a cold start).
    pub fn start(&self) -> EpochMs {
        self.arrival + self.init_ms.ceil() as EpochMs
    }
    /// When END/REPORT are logged; the invocation exists for metrics, logs and traces from here on.
    pub fn end(&self) -> EpochMs {
        self.start() + self.duration_ms.ceil() as EpochMs + 1
    }
    /// Billed duration includes INIT on cold starts (on-demand ZIP functions, since 2025-08).
    pub fn billed_ms(&self) -> u64 {
        (self.duration_ms + self.init_ms).ceil() as u64
    }
    pub fn is_error(&self) -> bool {
        self.fate != Fate::Ok
    }
}

/// The demo's world: its functions and the moment it was opened.
#[derive(Debug)]
pub struct Model {
    pub seed: u64,
    pub anchor: EpochMs,
    pub specs: Vec<FunctionSpec>,
    incident: Option<usize>,
    throttled: Option<usize>,
    /// Each function's deploys, oldest first; the last is its `LastModified`.
    deploys: Vec<Vec<EpochMs>>,
}

/// What every attempt of one minute shares.
#[derive(Debug, Clone, Copy)]
struct MinuteShape {
    throttle_share: f64,
    cold_probability: f64,
}

impl Model {
    pub fn new(seed: u64, anchor: EpochMs, specs: Vec<FunctionSpec>) -> Self {
        let incident = specs.iter().position(|s| s.name == INCIDENT_FUNCTION);
        let throttled = specs.iter().position(|s| s.name == THROTTLED_FUNCTION);
        let deploys = (0..specs.len())
            .map(|f| deploy_history(seed, anchor, f, &specs[f]))
            .collect();
        Model {
            seed,
            anchor,
            specs,
            incident,
            throttled,
            deploys,
        }
    }

    /// The last deploy (the function's `LastModified`).
    pub fn deploy_time(&self, f: usize) -> EpochMs {
        self.deploys[f].last().copied().unwrap_or(self.anchor)
    }

    /// Every deploy, oldest first: version `i + 1` was published at `deploys(f)[i]`.
    pub fn deploys(&self, f: usize) -> &[EpochMs] {
        &self.deploys[f]
    }

    /// The last deploy at or before `t`, and how many deploys came after it.
    pub fn deploy_before(&self, f: usize, t: EpochMs) -> Option<(EpochMs, usize)> {
        let d = &self.deploys[f];
        let i = d.partition_point(|&x| x <= t);
        (i > 0).then(|| (d[i - 1], d.len() - i))
    }

    /// Daily shape: quiet at 04:00 UTC, busiest at 16:00 UTC.
    fn diurnal(t: EpochMs) -> f64 {
        let day = t.rem_euclid(DAY_MS) as f64 / DAY_MS as f64;
        let phase = 2.0 * std::f64::consts::PI * (day - 4.0 / 24.0);
        0.3 + 0.7 * (0.5 - 0.5 * phase.cos())
    }

    /// Expected attempts in a minute.
    pub fn rate(&self, f: usize, minute: i64) -> f64 {
        let s = &self.specs[f];
        let t = minute * MINUTE_MS;
        let noise = 1.0 + 0.3 * (unit(hash(&[self.seed, f as u64, minute as u64, 1])) - 0.5);
        let wave = 1.0 + 0.15 * ((minute as f64) / 9.0 + f as f64).sin();
        let mut r = s.peak_rate * Self::diurnal(t) * noise * wave;
        // A stream backfill began 25 minutes before the demo opened: far more work than the
        // reserved concurrency can take.
        if Some(f) == self.throttled && t >= self.anchor - 25 * MINUTE_MS {
            r *= 2.6;
        }
        r
    }

    /// How many attempts arrive in a minute.
    pub fn attempts_in(&self, f: usize, minute: i64) -> u32 {
        match self.specs[f].trigger {
            Trigger::Schedule { every_min } => {
                u32::from(minute.rem_euclid(i64::from(every_min)) == 0)
            }
            Trigger::Daily { hour } => u32::from(minute.rem_euclid(1440) == i64::from(hour) * 60),
            _ => {
                let r = self.rate(f, minute);
                let extra = unit(hash(&[self.seed, f as u64, minute as u64, 2])) < r.fract();
                r.floor() as u32 + u32::from(extra)
            }
        }
    }

    /// Share of attempts rejected because reserved concurrency is exhausted.
    fn throttle_share(&self, f: usize, minute: i64) -> f64 {
        let s = &self.specs[f];
        let Some(reserved) = s.reserved_concurrency else {
            return 0.0;
        };
        let needed = self.rate(f, minute) * s.duration_ms / MINUTE_MS as f64;
        (1.0 - f64::from(reserved) / needed.max(1e-9)).max(0.0)
    }

    /// Probability that an attempt lands on a new execution environment: base recycling, a
    /// wave after each deploy (every environment is replaced), scale-out when traffic rises,
    /// and idle functions whose environments were reclaimed. Provisioned environments are
    /// always warm: only the deploy wave reaches a function that stays within them.
    fn cold_probability(&self, f: usize, minute: i64) -> f64 {
        let s = &self.specs[f];
        let rate = self.rate(f, minute).max(1e-6);
        if matches!(s.trigger, Trigger::Schedule { every_min } if every_min >= 5)
            || matches!(s.trigger, Trigger::Daily { .. })
        {
            return 1.0;
        }
        let conc = |m: i64| self.rate(f, m) * s.duration_ms / MINUTE_MS as f64;
        let since_deploy = self
            .deploy_before(f, minute * MINUTE_MS)
            .map(|(d, _)| (minute * MINUTE_MS - d) as f64 / MINUTE_MS as f64);
        let deploy_wave = since_deploy.map_or(0.0, |since| {
            (conc(minute).max(1.0) * 1.5) * (-since / 3.0).exp()
        });
        let warm = s.provisioned.map_or(0.0, f64::from);
        if conc(minute) <= warm {
            return (deploy_wave / rate).min(1.0);
        }
        let scale_out = (conc(minute) - conc(minute - 1)).max(0.0);
        let recycled = conc(minute).max(0.3) / 90.0;
        let idle = if rate < 1.0 { 0.6 } else { 0.0 };
        ((scale_out + recycled + deploy_wave) / rate + idle).min(1.0)
    }

    fn shape(&self, f: usize, minute: i64) -> MinuteShape {
        MinuteShape {
            throttle_share: self.throttle_share(f, minute),
            cold_probability: self.cold_probability(f, minute),
        }
    }

    fn error_rate(&self, f: usize, t: EpochMs) -> f64 {
        let base = self.specs[f].faults.error_rate;
        if Some(f) == self.incident {
            let since = (t - self.deploy_time(f)) as f64 / MINUTE_MS as f64;
            if since >= 0.0 {
                return (0.03 + 0.004 * since).min(0.6);
            }
        }
        base
    }

    /// The `idx`-th attempt of minute `minute`; `idx < attempts_in(f, minute)`.
    pub fn attempt(&self, f: usize, minute: i64, idx: u32) -> Attempt {
        self.attempt_in(&self.shape(f, minute), f, minute, idx)
    }

    fn attempt_in(&self, shape: &MinuteShape, f: usize, minute: i64, idx: u32) -> Attempt {
        let s = &self.specs[f];
        let key = hash(&[self.seed, f as u64, minute as u64, u64::from(idx)]);
        let r = |salt: u64| unit(mix(key ^ salt.wrapping_mul(0x2545_f491_4f6c_dd1d)));
        let scheduled = matches!(s.trigger, Trigger::Schedule { .. } | Trigger::Daily { .. });
        let offset = if scheduled {
            (r(1) * 900.0) as EpochMs
        } else {
            (r(1) * MINUTE_MS as f64) as EpochMs
        };
        let arrival = minute * MINUTE_MS + offset;

        let throttled = r(2) < shape.throttle_share;
        let cold = !throttled && r(3) < shape.cold_probability;
        let init_ms = if cold {
            if s.snap_start {
                300.0 + r(4) * 300.0
            } else {
                let (lo, hi) = s.runtime.init_range_ms();
                lo + (hi - lo) * r(4).powf(1.4)
            }
        } else {
            0.0
        };

        let fate = if r(5) < s.faults.timeout_rate {
            Fate::Timeout
        } else if r(6) < self.error_rate(f, arrival) {
            Fate::Error
        } else {
            Fate::Ok
        };

        let mut median = s.duration_ms;
        if Some(f) == self.incident && arrival >= self.deploy_time(f) {
            median *= 1.6;
        }
        if cold && s.runtime == Runtime::Java21 && !s.snap_start {
            median *= 2.5; // JIT warm-up on the first request
        }
        let tail = if r(7) < 0.01 { 3.0 + r(8) * 5.0 } else { 1.0 };
        let mut duration_ms = (median * (0.35 * normal(mix(key ^ 9))).exp() * tail).max(0.8);
        duration_ms = (duration_ms * 100.0).round() / 100.0;
        let timeout_ms = f64::from(s.timeout_s) * 1000.0;
        let fate = if duration_ms >= timeout_ms {
            Fate::Timeout
        } else {
            fate
        };
        if fate == Fate::Timeout {
            duration_ms = timeout_ms;
        } else if fate == Fate::Error {
            duration_ms = (duration_ms * 0.6).max(0.8);
        }
        let init_ms = (init_ms * 100.0).round() / 100.0;
        let grow = ((minute.rem_euclid(120)) as f64 / 120.0 * 0.2 + r(10) * 0.08)
            * f64::from(s.base_memory_used_mb);
        let max_memory_mb = (s.base_memory_used_mb + grow as u32).min(s.memory_mb);

        Attempt {
            f,
            minute,
            idx,
            key,
            arrival,
            throttled,
            cold,
            init_ms,
            duration_ms,
            max_memory_mb,
            fate,
        }
    }

    /// Every attempt of a minute, throttled ones included.
    pub fn attempts(&self, f: usize, minute: i64) -> impl Iterator<Item = Attempt> + '_ {
        let n = self.attempts_in(f, minute);
        let shape = (n > 0).then(|| self.shape(f, minute));
        (0..n).filter_map(move |i| Some(self.attempt_in(shape.as_ref()?, f, minute, i)))
    }

    /// Minutes before a window whose invocations can still log inside it (longest run + init).
    pub fn lookback_minutes(&self, f: usize) -> i64 {
        let s = &self.specs[f];
        (i64::from(s.timeout_s) * 1000 + 6_000) / MINUTE_MS + 1
    }
}

/// A function's deploys, oldest first: the last one `deployed_days_ago` (or, for the function
/// in an incident, minutes before the account was opened), and a few before it, days apart.
fn deploy_history(seed: u64, anchor: EpochMs, f: usize, spec: &FunctionSpec) -> Vec<EpochMs> {
    let last = match spec.deployed_days_ago {
        Some(days) => {
            let jitter = unit(hash(&[seed, f as u64, 7])) * 6.0 * 3_600_000.0;
            anchor - (days * DAY_MS as f64) as EpochMs - jitter as EpochMs
        }
        None => anchor - super::catalog::INCIDENT_DEPLOY_MINUTES_AGO * MINUTE_MS,
    };
    let earlier = 2 + hash(&[seed, f as u64, 8]) % 5;
    let mut out = vec![last];
    for k in 1..=earlier {
        let gap_days = 1.5 + unit(hash(&[seed, f as u64, 9, k])) * 8.0;
        let prev = out[out.len() - 1] - (gap_days * DAY_MS as f64) as EpochMs;
        out.push(prev);
    }
    out.reverse();
    out
}

/// A log-scale histogram of durations: 1 ms .. ~1,000 s in 128 buckets (≈ 11 % wide).
#[derive(Clone, PartialEq)]
pub struct Histogram {
    counts: Box<[u32; Histogram::BUCKETS]>,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Histogram")
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; Histogram::BUCKETS]),
        }
    }
}

impl Histogram {
    const BUCKETS: usize = 128;
    const RATIO_LN: f64 = 0.108; // ln(1000_000) / 128

    fn bucket(v: f64) -> usize {
        if v <= 1.0 {
            return 0;
        }
        ((v.ln() / Self::RATIO_LN) as usize).min(Self::BUCKETS - 1)
    }
    pub fn add(&mut self, v: f64) {
        self.counts[Self::bucket(v)] += 1;
    }
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
    }
    /// The value below which `q` of the samples fall (geometric middle of its bucket).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return None;
        }
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(((i as f64 + 0.5) * Self::RATIO_LN).exp());
            }
        }
        None
    }
}

/// One cold start of a minute, compactly (minute stats are cached by the hundred thousand).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColdMark {
    /// Arrival, in ms after the minute began.
    pub offset_ms: u16,
    /// Init, or SnapStart restore, duration.
    pub init_ms: f32,
    pub restore: bool,
}

/// What CloudWatch would hold for one function and one minute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinuteStats {
    pub invocations: u32,
    pub errors: u32,
    pub throttles: u32,
    pub cold_starts: u32,
    pub duration_sum: f64,
    pub duration_max: f64,
    pub durations: Histogram,
    /// The cold starts, in arrival order.
    pub colds: Vec<ColdMark>,
    pub concurrency: u32,
}

impl MinuteStats {
    /// The minute's attempts, counting only invocations that have finished by `now`.
    pub fn compute(model: &Model, f: usize, minute: i64, now: EpochMs) -> MinuteStats {
        let mut m = MinuteStats::default();
        for a in model.attempts(f, minute) {
            if a.throttled {
                if a.arrival <= now {
                    m.throttles += 1;
                }
                continue;
            }
            if a.end() > now {
                continue;
            }
            m.invocations += 1;
            m.errors += u32::from(a.is_error());
            if a.cold {
                m.cold_starts += 1;
                m.colds.push(ColdMark {
                    offset_ms: (a.arrival - minute * MINUTE_MS).clamp(0, 59_999) as u16,
                    init_ms: a.init_ms as f32,
                    restore: model.specs[f].snap_start,
                });
            }
            m.duration_sum += a.duration_ms;
            m.duration_max = m.duration_max.max(a.duration_ms);
            m.durations.add(a.duration_ms);
        }
        let spec = &model.specs[f];
        m.colds.sort_by_key(|c| c.offset_ms);
        m.concurrency = if m.throttles > 0 {
            spec.reserved_concurrency.unwrap_or(1)
        } else if m.invocations > 0 {
            let c = ((m.duration_sum / MINUTE_MS as f64) * 1.3).ceil().max(1.0) as u32;
            spec.reserved_concurrency.map_or(c, |r| c.min(r))
        } else {
            0
        };
        m
    }

    /// Adds another function's minute: the account-wide figures.
    pub fn merge(&mut self, o: &MinuteStats) {
        self.invocations += o.invocations;
        self.errors += o.errors;
        self.throttles += o.throttles;
        self.cold_starts += o.cold_starts;
        self.duration_sum += o.duration_sum;
        self.duration_max = self.duration_max.max(o.duration_max);
        self.durations.merge(&o.durations);
        self.concurrency += o.concurrency;
    }
}
