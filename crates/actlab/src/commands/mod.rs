//! One function per subcommand.

pub mod answer;
pub mod backends;
pub mod bench;
pub mod data;
pub mod reproduce;
pub mod serve;
pub mod show;
pub mod study;
pub mod train;
pub mod waves;
