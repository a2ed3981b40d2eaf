//! End-to-end tests of the `actlab` command, one module per topic (as ripgrep's): training runs
//! and run folders, errors, Figure 1, the linearity study, the bench.

mod bench;
mod errors;
mod fig1;
mod linearity;
mod support;
mod train;
