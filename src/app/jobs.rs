//! Work for the runtime, as data: what to ask the Source, who asked, and how a newer request
//! of the same key treats an older one.
//!
//! A [`Job`] is keyed by its owner (a screen instance or the shared catalog) and its target (what
//! it fetches). The runtime keeps one job per key:
//! - [`Policy::Replace`]: the newest wins and an older job is aborted (a new filter, a new window);
//! - [`Policy::Join`]: an identical request still running is joined, not aborted (the periodic
//!   refresh never kills a slow Insights query it would only issue again).
//!
//! Answers are stamped with the job's sequence number and the source epoch, and
//! [`JobTable::admit`] lets through only the answer of the job currently in force for its key,
//! from the current source. Nothing stale reaches `update`, so screens keep no generation counters.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use futures::StreamExt;

use super::msg::Msg;
use super::worker::{BACKSTOP, Bound, Outlet, QUERY_BACKSTOP, not_one_shot, pump};
use crate::domain::{
    AccountSettings, ColdStartData, ColdStartQuery, Function, InsightsQuery, InsightsUpdate,
    LogPage, LogQuery, MetricRequest, MetricSeries, ServiceGraph, SourceError, StreamQuery,
    TailRequest, TailUpdate, TimeWindow, Trace, TraceCursor, TracePage, TraceQuery, TraceSummary,
};
use crate::source::Source;

/// A screen instance. Two dashboards for two functions are two instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScreenId(pub u64);

/// Who a job works for; its answers go back there, and closing a screen cancels its jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The account's function list and health, shared by every screen.
    Catalog,
    Screen(ScreenId),
}

/// What a job fetches. A key is (owner, target): one job per key at a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    FunctionList,
    /// Health totals of every function in the account (the health sort).
    AccountHealth,
    /// Invocations of the functions whose totals showed errors or throttles.
    AccountInvocations,
    /// The sparkline, percentile and cold-start columns of the rows in view.
    RowStats,
    /// One function's configuration.
    Config(String),
    Charts(String),
    ColdStarts(String),
    LogPage(String),
    Tail(String),
    Insights(String),
    /// A search over a screen's loaded lines.
    Search,
    /// Writing a file (saving the buffer).
    Save,
    TraceList,
    /// Whole traces of the trace list's rows in view (their cold-start flags).
    TraceRows,
    Trace(String),
    /// A warm trace of the same route, to compare a trace with.
    TraceCompare(String),
    ServiceGraph,
    /// The account overview's series and rankings.
    Overview,
    /// The account's Lambda limits.
    AccountSettings,
    /// A screen's one job of a kind of call: a new data source needs no target of its own.
    Of(RequestKind),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobKey {
    pub owner: Owner,
    pub target: Target,
}

impl JobKey {
    pub fn new(owner: Owner, target: Target) -> JobKey {
        JobKey { owner, target }
    }
}

/// How a job treats a job of the same key that is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Abort it: the user asked for something else (latest wins).
    Replace,
    /// Leave it running if it asks for the same thing; otherwise replace it.
    Join,
}

/// Turns a source answer into a message. Closures capture what the answer is for (a window,
/// the names asked for), so screens need not remember it.
pub type Reply<T> = Box<dyn FnOnce(Result<T, SourceError>) -> Msg + Send>;

/// Turns each delivery of a subscription into a message.
pub type Deliver<T> = Box<dyn Fn(Delivery<T>) -> Msg + Send + Sync>;

/// What a subscription hands its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery<T> {
    Item(T),
    /// The owner fell behind and this many events were dropped to keep the console live.
    Dropped(u64),
    /// The stream could not start, or ended.
    Ended(Result<(), SourceError>),
}

/// The Source calls jobs make, one row each: the call's arguments, what it answers, what it is
/// called in a timeout message (and its backstop after `@`, if not [`BACKSTOP`]), and how the
/// worker makes it; a subscription says what it delivers, `lossy` or `lossless`. A row
/// generates its [`Request`], [`Asked`] and [`RequestKind`] variants and its arms in
/// [`Request::asked`] and the worker, so adding a data source is one row here (and the
/// `Source` method it calls).
macro_rules! requests {
    (
        one_shot {$(
            $(#[$doc:meta])*
            $name:ident $(($($arg:ident: $ty:ty),*))? -> $out:ty, $what:literal $(@ $limit:expr)?
                => |$s:ident| $call:expr;
        )*}
        subscriptions {$(
            $(#[$sdoc:meta])*
            $sname:ident($sarg:ident: $sty:ty) => $item:ty, $delivery:ident
                => |$ss:ident| $scall:expr;
        )*}
    ) => {
        /// A Source call and where its answer goes.
        pub enum Request {
            $($(#[$doc])* $name($($($ty,)*)? Reply<$out>),)*
            $($(#[$sdoc])* $sname($sty, Deliver<$item>),)*
            /// Work off the loop that is no Source call (a search over loaded lines, writing a
            /// file), named for comparison. It runs on a blocking thread.
            Work(String, Box<dyn FnOnce() -> Msg + Send>),
        }

        /// What a request asks for, without where the answer goes: requests compare by this.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Asked {
            $($name $(($($ty),*))?,)*
            $($sname($sty),)*
            Work(String),
        }

        /// Which kind of call a request is, without its arguments.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RequestKind {
            $($name,)*
            $($sname,)*
            Work,
        }

        impl RequestKind {
            pub const ALL: &[RequestKind] = &[$(RequestKind::$name,)* $(RequestKind::$sname,)* RequestKind::Work];
        }

        impl Request {
            pub fn asked(&self) -> Asked {
                match self {
                    $(Request::$name($($($arg,)*)? _) => Asked::$name $(($(Clone::clone($arg)),*))?,)*
                    $(Request::$sname($sarg, _) => Asked::$sname(Clone::clone($sarg)),)*
                    Request::Work(name, _) => Asked::Work(name.clone()),
                }
            }

            pub fn kind(&self) -> RequestKind {
                match self {
                    $(Request::$name(..) => RequestKind::$name,)*
                    $(Request::$sname(..) => RequestKind::$sname,)*
                    Request::Work(..) => RequestKind::Work,
                }
            }

            pub fn is_subscription(&self) -> bool {
                matches!(self, $(Request::$sname(..))|*)
            }

            /// A subscription whose every delivery must arrive (an Insights query's last
            /// delivery is its rows), so it never goes through the bounded channel that drops
            /// under pressure.
            pub fn is_lossless(&self) -> bool {
                match self {
                    $(Request::$sname(..) => stringify!($delivery) == "lossless",)*
                    _ => false,
                }
            }

            /// Makes a one-shot call under its backstop, or does the work; a subscription given
            /// here ends at once with an error.
            pub(super) async fn call(self, source: &Source) -> Msg {
                match self {
                    $(Request::$name($($($arg,)*)? reply) => {
                        let $s = source;
                        #[allow(unused_mut, unused_assignments)]
                        let mut limit = BACKSTOP;
                        $(limit = $limit;)?
                        reply(Bound::new($what, source, limit).on($call).await)
                    })*
                    $(Request::$sname(_, deliver) => deliver(Delivery::Ended(Err(not_one_shot()))),)*
                    Request::Work(_, work) => work(),
                }
            }

            /// Follows a subscription until it ends or the outlet closes; a one-shot request
            /// given here answers once.
            pub(super) async fn follow(self, source: &Source, out: &mut impl Outlet) {
                match self {
                    $(Request::$sname($sarg, deliver) => {
                        let $ss = source;
                        pump($scall, deliver, out).await
                    })*
                    one_shot => {
                        let _ = out.offer(one_shot.call(source).await);
                    }
                }
            }
        }
    };
}

requests! {
    one_shot {
        Functions -> Vec<Function>, "the function list" => |s| s.list_functions();
        Function(name: String) -> Function, "a function" => |s| s.function(&name);
        Metrics(req: MetricRequest) -> Vec<MetricSeries>, "metrics" => |s| s.metrics(&req);
        /// Several requests over the same window (different periods), answered together, in
        /// order.
        MetricSets(reqs: Vec<MetricRequest>) -> Vec<Vec<MetricSeries>>, "metrics"
            => |s| s.metric_sets(&reqs);
        Logs(q: LogQuery) -> LogPage, "a page of logs" => |s| s.logs(&q);
        Stream(q: StreamQuery) -> LogPage, "a log stream" => |s| s.stream_events(&q);
        TraceSummaries(q: TraceQuery) -> Vec<TraceSummary>, "traces"
            => |s| s.trace_summaries(&q);
        /// One page of a scan of trace summaries (a long window shows its progress page by
        /// page).
        TracePage(q: TraceQuery, c: TraceCursor) -> TracePage, "traces"
            => |s| s.trace_page(&q, &c);
        Traces(ids: Vec<String>) -> Vec<Trace>, "traces" => |s| s.traces(&ids);
        ServiceGraph(w: TimeWindow) -> ServiceGraph, "the service map" => |s| s.service_graph(w);
        /// One function's cold starts over a window (a Logs Insights query, which may rightly
        /// scan for minutes).
        ColdStarts(q: ColdStartQuery) -> ColdStartData, "cold starts" @ QUERY_BACKSTOP
            => |s| s.cold_starts(&q);
        AccountSettings -> AccountSettings, "account settings" => |s| s.account_settings();
        Alarms -> Vec<crate::domain::Alarm>, "alarms" => |s| s.alarms();
    }
    subscriptions {
        /// Follows log groups: many deliveries until cancelled.
        Tail(req: TailRequest) => TailUpdate, lossy
            => |s| s.tail(&req).await.map(|t| t.map(Ok));
        /// A Logs Insights query: progress, then rows. Cancelling it stops the query
        /// (StopQuery).
        Insights(q: InsightsQuery) => InsightsUpdate, lossless => |s| s.insights(&q).await;
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.asked().fmt(f)
    }
}

impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        self.asked() == other.asked()
    }
}

/// One unit of work for the runtime.
#[derive(Debug, PartialEq)]
pub struct Job {
    pub key: JobKey,
    pub request: Request,
    pub policy: Policy,
    /// Wait this long first; a newer job of the same key meanwhile replaces this one unsent.
    /// For billed calls triggered by typing.
    pub debounce: Option<Duration>,
}

impl Job {
    pub fn new(key: JobKey, request: Request) -> Job {
        Job {
            key,
            request,
            policy: Policy::Replace,
            debounce: None,
        }
    }
    /// A refresh: joins an identical request still in flight.
    pub fn joining(mut self) -> Job {
        self.policy = Policy::Join;
        self
    }
    pub fn debounced(mut self, wait: Duration) -> Job {
        self.debounce = Some(wait);
        self
    }
}

/// What the runtime should do with a new job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Run it under this sequence number, after aborting `abort` if any.
    Run { seq: u64, abort: Option<u64> },
    /// An identical request is already running; nothing to do.
    Joined,
}

#[derive(Debug, Clone, PartialEq)]
struct Running {
    seq: u64,
    asked: Asked,
}

/// The bookkeeping of jobs in flight, without any I/O: which job is in force for each key, and
/// whether an answer may pass. The runtime and the test driver share it.
#[derive(Debug, Default)]
pub struct JobTable {
    running: HashMap<JobKey, Running>,
    next_seq: u64,
    /// Bumped when the source changes (`:profile`, `:region`).
    epoch: u64,
}

impl JobTable {
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Registers a new job. The caller aborts the job numbered `abort` and runs this one as `seq`.
    pub fn start(&mut self, job: &Job) -> Start {
        let asked = job.request.asked();
        if let Some(r) = self.running.get(&job.key)
            && job.policy == Policy::Join
            && r.asked == asked
        {
            return Start::Joined;
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        let old = self.running.insert(job.key.clone(), Running { seq, asked });
        Start::Run {
            seq,
            abort: old.map(|r| r.seq),
        }
    }

    /// Whether an answer from job `seq` of `key`, produced under `epoch`, may reach `update`.
    /// A one-shot job is done once answered.
    pub fn admit(&mut self, key: &JobKey, seq: u64, epoch: u64, last: bool) -> bool {
        if epoch != self.epoch {
            return false;
        }
        match self.running.get(key) {
            Some(r) if r.seq == seq => {
                if last {
                    self.running.remove(key);
                }
                true
            }
            _ => false,
        }
    }

    /// Forgets a job that ended without an answer (aborted, or its task died).
    pub fn finished(&mut self, key: &JobKey, seq: u64) {
        if self.running.get(key).is_some_and(|r| r.seq == seq) {
            self.running.remove(key);
        }
    }

    /// Cancels every job of `owner`; returns the sequence numbers to abort.
    pub fn cancel_owner(&mut self, owner: Owner) -> Vec<u64> {
        let mut out = Vec::new();
        self.running.retain(|k, r| {
            let keep = k.owner != owner;
            if !keep {
                out.push(r.seq);
            }
            keep
        });
        out
    }

    /// Cancels one key; returns the sequence number to abort.
    pub fn cancel(&mut self, key: &JobKey) -> Option<u64> {
        self.running.remove(key).map(|r| r.seq)
    }

    /// A new source: every job in flight belongs to the old one.
    pub fn new_epoch(&mut self) -> Vec<u64> {
        self.epoch += 1;
        self.running.drain().map(|(_, r)| r.seq).collect()
    }

    pub fn in_flight(&self) -> usize {
        self.running.len()
    }

    pub fn is_running(&self, key: &JobKey) -> bool {
        self.running.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MetricRequest, TimeWindow};

    fn metrics(owner: Owner, end: i64) -> Job {
        let req = MetricRequest {
            queries: vec![],
            window: TimeWindow::new(0, end),
            period_s: 60,
        };
        Job::new(
            JobKey::new(owner, Target::Charts("f".into())),
            Request::Metrics(req, Box::new(|_| Msg::Resize(0, 0))),
        )
    }

    #[test]
    fn latest_wins_and_the_older_answer_is_dropped() {
        let mut t = JobTable::default();
        let a = metrics(Owner::Catalog, 10);
        let Start::Run { seq: s1, abort } = t.start(&a) else {
            panic!()
        };
        assert_eq!(abort, None);
        let Start::Run { seq: s2, abort } = t.start(&metrics(Owner::Catalog, 20)) else {
            panic!()
        };
        assert_eq!(abort, Some(s1));
        assert!(!t.admit(&a.key, s1, 0, true), "superseded answer");
        assert!(t.admit(&a.key, s2, 0, true));
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn a_refresh_joins_an_identical_request_in_flight() {
        let mut t = JobTable::default();
        let first = metrics(Owner::Catalog, 10);
        let Start::Run { seq, .. } = t.start(&first) else {
            panic!()
        };
        assert_eq!(
            t.start(&metrics(Owner::Catalog, 10).joining()),
            Start::Joined
        );
        // A refresh that asks for something else still replaces.
        assert!(matches!(
            t.start(&metrics(Owner::Catalog, 20).joining()),
            Start::Run { abort: Some(s), .. } if s == seq
        ));
    }

    #[test]
    fn answers_from_an_old_source_never_pass() {
        let mut t = JobTable::default();
        let job = metrics(Owner::Catalog, 10);
        let Start::Run { seq, .. } = t.start(&job) else {
            panic!()
        };
        let aborted = t.new_epoch();
        assert_eq!(aborted, vec![seq]);
        assert!(!t.admit(&job.key, seq, 0, true));
        // Even a job restarted with the same key and a colliding number from the old epoch.
        let Start::Run { seq: again, .. } = t.start(&job) else {
            panic!()
        };
        assert!(!t.admit(&job.key, again, 0, true));
        assert!(t.admit(&job.key, again, 1, true));
    }

    #[test]
    fn closing_a_screen_cancels_its_jobs_only() {
        let mut t = JobTable::default();
        let mine = metrics(Owner::Screen(ScreenId(3)), 10);
        let other = metrics(Owner::Catalog, 10);
        t.start(&mine);
        t.start(&other);
        assert_eq!(t.cancel_owner(Owner::Screen(ScreenId(3))).len(), 1);
        assert!(!t.is_running(&mine.key));
        assert!(t.is_running(&other.key));
    }

    #[test]
    fn each_row_is_its_own_kind_and_compares_by_what_it_asks() {
        let list = || Request::Functions(Box::new(|_| Msg::Resize(0, 0)));
        let limits = Request::AccountSettings(Box::new(|_| Msg::Resize(0, 0)));
        assert_eq!(list().kind(), RequestKind::Functions);
        assert_eq!(limits.kind(), RequestKind::AccountSettings);
        assert_ne!(list(), limits, "two calls without arguments still differ");
        assert_eq!(list(), list());
        let work = Request::Work("save".into(), Box::new(|| Msg::Resize(0, 0)));
        assert_eq!(work.kind(), RequestKind::Work);
        assert!(!work.is_subscription() && !list().is_subscription());
        let kinds: std::collections::HashSet<RequestKind> =
            RequestKind::ALL.iter().copied().collect();
        assert_eq!(kinds.len(), RequestKind::ALL.len());
        assert!(kinds.contains(&RequestKind::Tail) && kinds.contains(&RequestKind::Insights));
        let insights = InsightsQuery {
            log_groups: vec!["g".into()],
            query: "fields @message".into(),
            window: TimeWindow::new(0, 1),
        };
        let query = Request::Insights(insights, Box::new(|_| Msg::Resize(0, 0)));
        assert!(query.is_subscription() && query.is_lossless());
    }

    #[test]
    fn subscriptions_stay_in_force_until_their_last_delivery() {
        let mut t = JobTable::default();
        let job = metrics(Owner::Catalog, 10);
        let Start::Run { seq, .. } = t.start(&job) else {
            panic!()
        };
        assert!(t.admit(&job.key, seq, 0, false));
        assert!(t.admit(&job.key, seq, 0, false));
        assert!(t.admit(&job.key, seq, 0, true));
        assert!(!t.admit(&job.key, seq, 0, false));
    }
}
