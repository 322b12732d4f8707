//! The sources of data: the AWS backend against the emulator and against mocks, its credentials,
//! the demo account as an oracle, the Source contract both honour, what a shift costs on AWS, and
//! the parsers' fuzz corpora.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

// The fuzz targets' `use libfuzzer_sys::…`, on stable: see fuzz/shim.
extern crate lambdascope_fuzz_shim as libfuzzer_sys;

mod aws_credentials;
mod aws_emulator;
mod aws_mocks;
mod contract;
mod corpora;
mod cost;
mod demo_consistency;
