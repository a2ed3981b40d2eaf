//! Checkpoints: model and optimizer in Burn's burnpack format, plus the loop's own position.
//! `state.json` is written last, by rename, and names the files it belongs to, so a run killed
//! mid-write resumes from the previous complete checkpoint.

use actlab_models::Model;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use std::fs;
use std::path::{Path, PathBuf};

use crate::TrainError;
use crate::durable::{failpoint, sync_file, write_atomic};
use crate::loop_state::LoopState;

pub struct Checkpoints {
    dir: PathBuf,
}

impl Checkpoints {
    /// The checkpoints kept in `dir` (a run folder's `checkpoint/`).
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.into() }
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    pub fn latest(&self) -> Result<Option<LoopState>, TrainError> {
        let path = self.state_path();
        if !path.exists() {
            return Ok(None);
        }
        let text = fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        let state = serde_json::from_str(&text).map_err(|e| TrainError::Corrupt { path: path.clone(), reason: e.to_string() })?;
        Ok(Some(state))
    }

    pub fn save(&self, model: &Model, optimizer: &ModuleOptimizer, mut state: LoopState) -> Result<(), TrainError> {
        fs::create_dir_all(&self.dir).map_err(|e| TrainError::io(&self.dir, e))?;
        let previous = self.latest().ok().flatten();
        state.model_file = format!("model-{}.bpk", state.iteration);
        state.optimizer_file = format!("optimizer-{}.bpk", state.iteration);
        let model_path = self.dir.join(&state.model_file);
        model.save(&model_path).map_err(|source| TrainError::Record { path: model_path.clone(), source })?;
        sync_file(&model_path).map_err(|e| TrainError::io(&model_path, e))?;
        failpoint("checkpoint-model");
        let optim_path = self.dir.join(&state.optimizer_file);
        optimizer.save(&optim_path).map_err(|source| TrainError::Record { path: optim_path.clone(), source })?;
        sync_file(&optim_path).map_err(|e| TrainError::io(&optim_path, e))?;
        let json = serde_json::to_string_pretty(&state).unwrap_or_default();
        write_atomic(&self.state_path(), json.as_bytes(), "checkpoint-state").map_err(|e| TrainError::io(self.state_path(), e))?;
        if let Some(old) = previous
            && old.iteration != state.iteration
        {
            let _ = fs::remove_file(self.dir.join(old.model_file));
            let _ = fs::remove_file(self.dir.join(old.optimizer_file));
        }
        Ok(())
    }

    /// Removes model and optimizer files the latest state does not name (a kill between writing
    /// a new checkpoint and removing the old one leaves them); returns how many.
    pub fn remove_unreferenced(&self, latest: Option<&LoopState>) -> Result<usize, TrainError> {
        let Ok(entries) = fs::read_dir(&self.dir) else { return Ok(0) };
        let keep: Vec<&str> = latest.map(|s| vec![s.model_file.as_str(), s.optimizer_file.as_str()]).unwrap_or_default();
        let mut removed = 0;
        for entry in entries {
            let name = entry.map_err(|e| TrainError::io(&self.dir, e))?.file_name().to_string_lossy().into_owned();
            let checkpoint_file = (name.starts_with("model-") || name.starts_with("optimizer-")) && name.ends_with(".bpk");
            if checkpoint_file && !keep.contains(&name.as_str()) {
                let path = self.dir.join(&name);
                fs::remove_file(&path).map_err(|e| TrainError::io(&path, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub fn restore(&self, state: &LoopState, model: Model, optimizer: ModuleOptimizer) -> Result<(Model, ModuleOptimizer), TrainError> {
        let model_path = self.dir.join(&state.model_file);
        let model = model.try_load_file(&model_path).map_err(|source| TrainError::Record { path: model_path, source })?;
        let optim_path = self.dir.join(&state.optimizer_file);
        let optimizer = optimizer.load(&optim_path).map_err(|source| TrainError::Record { path: optim_path, source })?;
        Ok((model, optimizer))
    }
}
