//! What every experiment does before its first run: its protocol config with the study's own
//! settings and the user's `--set`, backend and data folder; then the data, loaded once, with a
//! warning for every unofficial file, and the output folder.

use actlab_datasets::{DatasetName, LoadedDataset};
use actlab_train::UncheckedConfig;
use std::path::Path;

use crate::ExperimentError;
use crate::toolkit::options::ExperimentOptions;

/// `protocol` (TOML, called `name` in errors) with `own` overrides, then the user's `--set`,
/// backend and data folder from `options`, applied.
pub fn protocol_config(
    protocol: &str,
    name: &str,
    own: Vec<String>,
    options: &ExperimentOptions,
) -> Result<UncheckedConfig, ExperimentError> {
    let overrides: Vec<String> = own.into_iter().chain(options.overrides.iter().cloned()).collect();
    let mut config = UncheckedConfig::parse(protocol, name, &overrides)?;
    // Generated data follows the seed it is made from: pinned to the study's, every run (here,
    // or from a --plan job list) trains on the data the study loaded.
    if config.dataset.name == DatasetName::Synthetic {
        config.dataset.synthetic.seed.get_or_insert(config.training.seed);
    }
    config.training.backend = options.backend;
    if let Some(data) = &options.data {
        config.dataset.path = data.clone();
    }
    Ok(config)
}

/// Loads the data `base` names (warning on stderr for each unofficial file) and makes `out`.
pub fn load_data(base: &UncheckedConfig, out: &Path) -> Result<LoadedDataset, ExperimentError> {
    let data = base.dataset.load(base.training.seed)?;
    for warning in data.files.iter().filter_map(|file| file.warning()) {
        eprintln!("warning: {warning}");
    }
    std::fs::create_dir_all(out).map_err(|e| ExperimentError::io(out, e))?;
    Ok(data)
}
