//! Where a study's numbers come from: its setting, machine, builds, data files, and what had not
//! finished when its report was written. Flattened into each study's report.json.

use actlab_datasets::LoadedDataset;
use actlab_train::Backend;
use actlab_train::summary::FileSummary;
use serde::{Deserialize, Serialize};

use crate::toolkit::machine::{device_name, threads};
use crate::toolkit::markdown::data_files;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The shared setting of every run, in words.
    pub setting: String,
    pub backend: String,
    pub device: String,
    pub threads: usize,
    /// Every actlab build that made a run of the report.
    pub commits: Vec<String>,
    pub dataset: Vec<FileSummary>,
    pub dataset_name: String,
    pub train_images: usize,
    /// Runs not finished when a `--report-only` report was written.
    pub pending: Vec<String>,
}

impl Provenance {
    pub fn new(
        setting: String,
        backend: Backend,
        dataset_name: String,
        data: &LoadedDataset,
        commits: impl IntoIterator<Item = String>,
        pending: Vec<String>,
    ) -> Self {
        let mut commits: Vec<String> = commits.into_iter().collect();
        commits.sort_unstable();
        commits.dedup();
        Self {
            setting,
            backend: backend.to_string(),
            device: device_name(backend),
            threads: threads(),
            commits,
            dataset: data.files.iter().map(Into::into).collect(),
            dataset_name,
            train_images: data.train.len(),
            pending,
        }
    }

    /// The report's "Machine and data" section.
    pub fn markdown(&self) -> String {
        format!(
            "## Machine and data\n\n- backend: {}, device: {}, threads: {}\n- actlab commit(s): {}\n{}",
            self.backend,
            self.device,
            self.threads,
            self.commits.join(", "),
            data_files(&self.dataset)
        )
    }
}
