//! Checkpoints: model and optimizer in Burn's burnpack format, plus the loop's own position.
//! `state.json` is written last, by rename, and names the files it belongs to, so a run killed
//! mid-write resumes from the previous complete checkpoint.

use actlab_models::Model;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use std::fs;
use std::path::{Path, PathBuf};

use crate::TrainError;
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
        model.clone().save_file(&model_path).map_err(|source| TrainError::Record { path: model_path, source })?;
        let optim_path = self.dir.join(&state.optimizer_file);
        optimizer.save(&optim_path).map_err(|source| TrainError::Record { path: optim_path, source })?;
        let tmp = self.dir.join("state.json.tmp");
        let json = serde_json::to_string_pretty(&state).unwrap_or_default();
        fs::write(&tmp, json).map_err(|e| TrainError::io(&tmp, e))?;
        fs::rename(&tmp, self.state_path()).map_err(|e| TrainError::io(self.state_path(), e))?;
        if let Some(old) = previous
            && old.iteration != state.iteration
        {
            let _ = fs::remove_file(self.dir.join(old.model_file));
            let _ = fs::remove_file(self.dir.join(old.optimizer_file));
        }
        Ok(())
    }

    pub fn restore(&self, state: &LoopState, model: Model, optimizer: ModuleOptimizer) -> Result<(Model, ModuleOptimizer), TrainError> {
        let model_path = self.dir.join(&state.model_file);
        let model = model.try_load_file(&model_path).map_err(|source| TrainError::Record { path: model_path, source })?;
        let optim_path = self.dir.join(&state.optimizer_file);
        let optimizer = optimizer.load(&optim_path).map_err(|source| TrainError::Record { path: optim_path, source })?;
        Ok((model, optimizer))
    }
}
