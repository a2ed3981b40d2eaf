//! End-to-end tests of the `actlab` command, one module per topic (as ripgrep's): training runs
//! and run folders, errors, Figure 1, the linearity and depth studies, the bench.

mod bench;
mod browser;
mod crash;
#[cfg(feature = "cuda")]
mod cuda;
mod depth;
mod docs;
mod errors;
mod fig1;
mod filters;
mod linearity;
mod plan;
mod sensitivity;
mod sparsity;
mod support;
mod train;
