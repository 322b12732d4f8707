//! The account as a whole: its Lambda limits (GetAccountSettings).

use serde::Serialize;

/// The region's Lambda limits and usage for this account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AccountSettings {
    /// Concurrent executions the account may run at once (default 1,000).
    pub concurrency_limit: Option<u32>,
    /// What is left for functions without reserved concurrency.
    pub unreserved_concurrency: Option<u32>,
    pub function_count: Option<u64>,
    /// Bytes of code stored, and the limit.
    pub code_size: Option<u64>,
    pub code_size_limit: Option<u64>,
}
