//! The sources of data: the AWS backend against the emulator and against mocks, its credentials,
//! the demo account as an oracle, the Source contract both honour, and what a shift costs on AWS.

#[path = "../common/mod.rs"]
mod common;

mod aws_credentials;
mod aws_emulator;
mod aws_mocks;
mod contract;
mod cost;
mod demo_consistency;
