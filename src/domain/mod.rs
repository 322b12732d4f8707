//! Our own types, which every other module speaks: functions, metric series, log events and
//! invocations, traces and segments, and the time rules both backends share. This module
//! imports nothing else of ours, so `parse`, both sources, the screens and the widgets can all
//! depend on it without depending on each other.

mod account;
mod alarm;
mod cold_starts;
mod function;
mod health;
mod logs;
mod metrics;
mod status;
mod time;
mod traces;
mod waterfall;
mod window;

pub use account::*;
pub use alarm::*;
pub use cold_starts::*;
pub use function::*;
pub use health::*;
pub use logs::*;
pub use metrics::*;
pub use status::*;
pub use time::*;
pub use traces::*;
pub use waterfall::*;
pub use window::*;
