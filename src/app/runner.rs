//! Runs jobs as tasks and hands back only the answers that may pass: the runtime's job side,
//! without the terminal, so its rules (latest wins, joins, debounce, source epochs,
//! cancellation) are tested on their own.
//!
//! One-shot answers come back on an unbounded channel (they are few and must not be lost);
//! subscriptions share a bounded one and count what they must drop.

use std::collections::HashMap;

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::jobs::{Job, JobKey, JobTable, Owner, Request, Start};
use super::msg::Msg;
use super::worker;
use crate::source::Source;

/// A job's answer on its way to `update`.
struct Answer {
    key: JobKey,
    seq: u64,
    epoch: u64,
    /// The job is over after this one (always, for a one-shot).
    last: bool,
    msg: Option<Msg>,
}

/// Where a subscription's deliveries go: the shared bounded channel, which drops (and counts)
/// under pressure, or, for a subscription that must lose nothing (Insights: few deliveries,
/// the last one the rows), the unbounded answers channel.
enum Channel {
    Bounded(mpsc::Sender<Answer>),
    Lossless(mpsc::UnboundedSender<Answer>),
}

/// A subscription's way into the loop.
struct Outlet {
    channel: Channel,
    key: JobKey,
    seq: u64,
    epoch: u64,
}

impl Outlet {
    fn answer(&self, msg: Msg) -> Answer {
        Answer {
            key: self.key.clone(),
            seq: self.seq,
            epoch: self.epoch,
            last: false,
            msg: Some(msg),
        }
    }
}

impl worker::Outlet for Outlet {
    fn offer(&mut self, msg: Msg) -> Result<(), bool> {
        let answer = self.answer(msg);
        match &self.channel {
            Channel::Bounded(tx) => match tx.try_send(answer) {
                Ok(()) => Ok(()),
                Err(mpsc::error::TrySendError::Full(_)) => Err(true),
                Err(mpsc::error::TrySendError::Closed(_)) => Err(false),
            },
            Channel::Lossless(tx) => tx.send(answer).map_err(|_| false),
        }
    }

    async fn insist(&mut self, msg: Msg) -> bool {
        let answer = self.answer(msg);
        match &self.channel {
            // Waits for room: the loop drains the channel, so this is short.
            Channel::Bounded(tx) => tx.send(answer).await.is_ok(),
            Channel::Lossless(tx) => tx.send(answer).is_ok(),
        }
    }
}

pub struct Runner {
    table: JobTable,
    tasks: HashMap<u64, AbortHandle>,
    answers_tx: mpsc::UnboundedSender<Answer>,
    answers: mpsc::UnboundedReceiver<Answer>,
    deliveries_tx: mpsc::Sender<Answer>,
    deliveries: mpsc::Receiver<Answer>,
}

impl Runner {
    /// `buffer`: deliveries of all subscriptions that may wait for the loop before they are
    /// dropped and counted.
    pub fn new(buffer: usize) -> Runner {
        let (answers_tx, answers) = mpsc::unbounded_channel();
        let (deliveries_tx, deliveries) = mpsc::channel(buffer.max(1));
        Runner {
            table: JobTable::default(),
            tasks: HashMap::new(),
            answers_tx,
            answers,
            deliveries_tx,
            deliveries,
        }
    }

    /// Starts a job against `source`, unless an identical one it may join is running.
    pub fn start(&mut self, source: &Source, job: Job) {
        let seq = match self.table.start(&job) {
            Start::Joined => return,
            Start::Run { seq, abort } => {
                if let Some(old) = abort {
                    self.abort(old);
                }
                seq
            }
        };
        let Job {
            key,
            request,
            debounce,
            ..
        } = job;
        let epoch = self.table.epoch();
        let source = source.clone();
        let done = self.answers_tx.clone();
        let task = if request.is_subscription() {
            let mut out = Outlet {
                channel: if request.is_lossless() {
                    Channel::Lossless(self.answers_tx.clone())
                } else {
                    Channel::Bounded(self.deliveries_tx.clone())
                },
                key: key.clone(),
                seq,
                epoch,
            };
            tokio::spawn(async move {
                worker::follow(&source, request, &mut out).await;
                // The job is over; free its key, behind its last delivery on the same channel
                // (on the other one it could overtake, and the delivery would not be admitted).
                let last = Answer {
                    key,
                    seq,
                    epoch,
                    last: true,
                    msg: None,
                };
                match out.channel {
                    Channel::Bounded(tx) => {
                        let _ = tx.send(last).await;
                    }
                    Channel::Lossless(_) => {
                        let _ = done.send(last);
                    }
                }
            })
        } else {
            tokio::spawn(async move {
                if let Some(wait) = debounce {
                    tokio::time::sleep(wait).await;
                }
                let msg = match request {
                    // CPU work goes off the async workers; a panic there reaches the panic hook.
                    Request::Work(_, work) => match tokio::task::spawn_blocking(work).await {
                        Ok(msg) => msg,
                        Err(_) => return,
                    },
                    request => worker::run(&source, request).await,
                };
                let _ = done.send(Answer {
                    key,
                    seq,
                    epoch,
                    last: true,
                    msg: Some(msg),
                });
            })
        };
        self.tasks.insert(seq, task.abort_handle());
    }

    fn abort(&mut self, seq: u64) {
        if let Some(task) = self.tasks.remove(&seq) {
            task.abort();
        }
    }

    pub fn cancel(&mut self, key: &JobKey) {
        if let Some(seq) = self.table.cancel(key) {
            self.abort(seq);
        }
    }

    pub fn cancel_owner(&mut self, owner: Owner) {
        for seq in self.table.cancel_owner(owner) {
            self.abort(seq);
        }
    }

    /// Quitting: every job ends now (a dropped Insights stream stops its query).
    pub fn abort_all(&mut self) {
        for (_, task) in self.tasks.drain() {
            task.abort();
        }
        self.table.new_epoch();
    }

    /// The source changed: everything in flight belonged to the old one, and any answer of
    /// it still on its way is dropped when it arrives.
    pub fn new_epoch(&mut self) {
        for seq in self.table.new_epoch() {
            self.abort(seq);
        }
    }

    fn admit(&mut self, a: Answer) -> Option<Msg> {
        if a.last {
            self.tasks.remove(&a.seq);
        }
        if self.table.admit(&a.key, a.seq, a.epoch, a.last) {
            a.msg
        } else {
            None
        }
    }

    /// The next message that may reach `update`. Pending forever when nothing is running.
    pub async fn next(&mut self) -> Msg {
        loop {
            let a = tokio::select! {
                Some(a) = self.answers.recv() => a,
                Some(a) = self.deliveries.recv() => a,
            };
            if let Some(msg) = self.admit(a) {
                return msg;
            }
        }
    }

    /// A message already waiting, if any.
    pub fn try_next(&mut self) -> Option<Msg> {
        loop {
            let a = match self.answers.try_recv() {
                Ok(a) => a,
                Err(_) => self.deliveries.try_recv().ok()?,
            };
            if let Some(msg) = self.admit(a) {
                return Some(msg);
            }
        }
    }

    /// Jobs in force.
    pub fn in_flight(&self) -> usize {
        self.table.in_flight()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::jobs::Target;
    use crate::source::demo::{Clock, DemoSource};

    fn demo() -> Source {
        Source::Demo(DemoSource::new(42, Clock::Fixed(1_795_442_400_000)))
    }

    /// A function-list job whose answer says which job it was.
    fn list_job(tag: u16) -> Job {
        Job::new(
            JobKey::new(Owner::Catalog, Target::FunctionList),
            Request::Functions(Box::new(move |_| Msg::Resize(tag, 0))),
        )
    }

    async fn drain(r: &mut Runner, wait: Duration) -> Vec<Msg> {
        let mut out = Vec::new();
        while let Ok(m) = tokio::time::timeout(wait, r.next()).await {
            out.push(m);
        }
        out
    }

    #[tokio::test]
    async fn debounced_typing_sends_only_the_last_request() {
        let (s, mut r) = (demo(), Runner::new(8));
        for tag in 1..=5 {
            r.start(&s, list_job(tag).debounced(Duration::from_millis(50)));
        }
        assert_eq!(
            drain(&mut r, Duration::from_millis(500)).await,
            vec![Msg::Resize(5, 0)]
        );
        assert_eq!(r.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_refresh_joins_the_request_in_flight() {
        let (s, mut r) = (demo(), Runner::new(8));
        r.start(&s, list_job(1).debounced(Duration::from_millis(50)));
        r.start(&s, list_job(2).joining());
        // The first one was not aborted: its answer is the one that arrives.
        assert_eq!(
            drain(&mut r, Duration::from_millis(500)).await,
            vec![Msg::Resize(1, 0)]
        );
    }

    #[tokio::test]
    async fn an_answer_from_the_old_source_is_never_shown() {
        let (s, mut r) = (demo(), Runner::new(8));
        r.start(&s, list_job(1));
        // Let the answer land in the channel, then switch sources before reading it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        r.new_epoch();
        assert_eq!(r.try_next(), None);
        assert!(drain(&mut r, Duration::from_millis(200)).await.is_empty());
        // Jobs started after the switch answer as usual.
        r.start(&s, list_job(2));
        assert_eq!(
            drain(&mut r, Duration::from_millis(500)).await,
            vec![Msg::Resize(2, 0)]
        );
    }

    #[tokio::test]
    async fn cancelling_an_owner_silences_its_jobs() {
        let (s, mut r) = (demo(), Runner::new(8));
        r.start(&s, list_job(1).debounced(Duration::from_millis(50)));
        r.cancel_owner(Owner::Catalog);
        assert!(drain(&mut r, Duration::from_millis(300)).await.is_empty());
    }
}
