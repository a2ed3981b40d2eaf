//! What every experiment needs: run a list of run specs resumably, tables, machine info,
//! statistics and plots.

pub mod charts;
pub mod machine;
pub mod markdown;
pub mod mosaic;
pub mod options;
pub mod paired;
pub mod plot;
pub mod probe_files;
pub mod provenance;
pub mod rates;
pub mod runner;
pub mod saved;
pub mod sensitivity;
pub mod setup;
pub mod stats;
pub mod tuner;
