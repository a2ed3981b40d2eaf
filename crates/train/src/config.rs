//! A run's configuration: TOML in, checked values out. As in linfa's `ParamGuard`, the parsed
//! file is an unchecked value and `check` turns it into a [`RunConfig`], so a bad key or value
//! fails before any data is loaded or any step is trained.

use actlab_datasets::DatasetConfig;
use actlab_models::ModelConfig;
use serde::{Deserialize, Serialize};
use std::ops::Deref;
use std::path::Path;
use thiserror::Error;

use crate::backend::Backend;
use crate::optimizer::{OptimizerConfig, ScheduleConfig};

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("--set {0}: expected section.key=value")]
    BadOverride(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

fn default_batch_size() -> usize {
    128
}
fn default_seed() -> u64 {
    1
}
fn default_log_every() -> usize {
    20
}
fn default_eval_every() -> usize {
    1
}
fn default_eval_batch_size() -> usize {
    500
}
fn default_checkpoint_minutes() -> f64 {
    5.0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Iterations between rows of `metrics.csv` (a row is also written at every epoch end).
    #[serde(default = "default_log_every")]
    pub log_every: usize,
    /// Epochs between test-set evaluations (and one at the end of the run); 0: never.
    #[serde(default = "default_eval_every")]
    pub eval_every: usize,
    #[serde(default = "default_eval_batch_size")]
    pub eval_batch_size: usize,
    /// Wall-clock minutes between mid-epoch checkpoints (one is also written at every epoch end).
    #[serde(default = "default_checkpoint_minutes")]
    pub checkpoint_minutes: f64,
    #[serde(default)]
    pub backend: Backend,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            batch_size: default_batch_size(),
            seed: default_seed(),
            log_every: default_log_every(),
            eval_every: default_eval_every(),
            eval_batch_size: default_eval_batch_size(),
            checkpoint_minutes: default_checkpoint_minutes(),
            backend: Backend::default(),
        }
    }
}

fn default_max_epochs() -> f64 {
    10.0
}

/// When a run ends: whichever condition comes first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopConfig {
    /// Fractional epochs allowed (0.5 = half an epoch).
    #[serde(default = "default_max_epochs")]
    pub max_epochs: f64,
    /// Stop once the current epoch's running training error is at or below this (e.g. 0.25).
    #[serde(default)]
    pub target_train_error: Option<f64>,
    /// Wall-clock limit in seconds.
    #[serde(default)]
    pub max_seconds: Option<f64>,
}

impl Default for StopConfig {
    fn default() -> Self {
        Self { max_epochs: default_max_epochs(), target_train_error: None, max_seconds: None }
    }
}

/// A config file as written: parsed, not yet checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncheckedConfig {
    pub dataset: DatasetConfig,
    pub model: ModelConfig,
    pub optimizer: OptimizerConfig,
    #[serde(default)]
    pub schedule: ScheduleConfig,
    #[serde(default)]
    pub training: TrainingConfig,
    #[serde(default)]
    pub stop: StopConfig,
}

/// A config whose every value has been checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RunConfig(UncheckedConfig);

impl Deref for RunConfig {
    type Target = UncheckedConfig;
    fn deref(&self) -> &UncheckedConfig {
        &self.0
    }
}

impl RunConfig {
    pub fn into_inner(self) -> UncheckedConfig {
        self.0
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.0).unwrap_or_default()
    }
}

impl UncheckedConfig {
    /// Reads `path` (and the file it `extends`, if any), applies `--set section.key=value`
    /// overrides, and parses.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let table = read_table(path, 0)?;
        Self::from_table(table, &name, overrides)
    }

    pub fn parse(text: &str, name: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        Self::from_table(parse_table(text, name)?, name, overrides)
    }

    fn from_table(mut table: toml::Table, name: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        for item in overrides {
            apply_override(&mut table, item)?;
        }
        // serde_path_to_error names the full key (`training.batch_size`) in type errors.
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let key = e.path().to_string();
            let message = e.inner().message().to_string();
            let message = if key == "." { message } else { format!("{key}: {message}") };
            ConfigError::Parse { path: name.into(), message }
        })
    }

    pub fn check(self, name: &str) -> Result<RunConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: name.into(), message };
        self.dataset.check().map_err(|e| invalid(e.to_string().trim_start_matches("dataset config: ").into()))?;
        self.model.check().map_err(|e| invalid(e.to_string()))?;
        self.optimizer.check().map_err(invalid)?;
        self.schedule.check().map_err(invalid)?;
        let t = &self.training;
        if !(1..=65536).contains(&t.batch_size) {
            return Err(invalid(format!("training.batch_size: {} is outside 1..=65536", t.batch_size)));
        }
        if t.log_every == 0 {
            return Err(invalid("training.log_every: must be at least 1".into()));
        }
        if t.eval_batch_size == 0 {
            return Err(invalid("training.eval_batch_size: must be at least 1".into()));
        }
        if !(t.checkpoint_minutes.is_finite() && t.checkpoint_minutes > 0.0) {
            return Err(invalid(format!("training.checkpoint_minutes: {} must be positive", t.checkpoint_minutes)));
        }
        let s = &self.stop;
        if !(s.max_epochs.is_finite() && s.max_epochs > 0.0) {
            return Err(invalid(format!("stop.max_epochs: {} must be a positive number", s.max_epochs)));
        }
        if let Some(target) = s.target_train_error
            && !(0.0..=1.0).contains(&target)
        {
            return Err(invalid(format!("stop.target_train_error: {target} is outside [0, 1]")));
        }
        if let Some(seconds) = s.max_seconds
            && !(seconds.is_finite() && seconds > 0.0)
        {
            return Err(invalid(format!("stop.max_seconds: {seconds} must be positive")));
        }
        Ok(RunConfig(self))
    }
}

/// How many `extends` a config may chain (a loop of files is an error, not a hang).
const MAX_EXTENDS: usize = 8;

fn parse_table(text: &str, name: &str) -> Result<toml::Table, ConfigError> {
    text.parse().map_err(|e: toml::de::Error| syntax_error(text, name, &e))
}

/// A TOML syntax error as `FILE:LINE:COL: message`, without the snippet toml prints under it.
fn syntax_error(text: &str, name: &str, err: &toml::de::Error) -> ConfigError {
    let message = err.message().trim().replace('\n', " ");
    let Some(span) = err.span() else { return ConfigError::Parse { path: name.into(), message } };
    let before = &text.as_bytes()[..span.start.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    ConfigError::Parse { path: format!("{name}:{line}:{column}"), message }
}

/// The table of the file at `path`: a top-level `extends = "other.toml"` (relative to the file)
/// starts from that file's table, and this file's values replace or extend it key by key.
fn read_table(path: &Path, depth: usize) -> Result<toml::Table, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: name.clone(), source })?;
    let mut table = parse_table(&text, &name)?;
    let Some(parent) = table.remove("extends") else { return Ok(table) };
    let invalid = |message: String| ConfigError::Invalid { path: name.clone(), message };
    let parent = parent.as_str().ok_or_else(|| invalid("extends: expected a file name in quotes".into()))?;
    if depth >= MAX_EXTENDS {
        return Err(invalid(format!("extends: more than {MAX_EXTENDS} files deep (a loop?)")));
    }
    let mut base = read_table(&path.parent().unwrap_or(Path::new(".")).join(parent), depth + 1)?;
    merge(&mut base, table);
    Ok(base)
}

/// Puts every value of `over` into `base`, merging tables that both have.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(value)) => merge(inner, value),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `section.key=value` (or `section.sub.key=value`); the value is read as TOML, or else as a string.
fn apply_override(table: &mut toml::Table, item: &str) -> Result<(), ConfigError> {
    let (key, raw) = item.split_once('=').ok_or_else(|| ConfigError::BadOverride(item.into()))?;
    let path: Vec<&str> = key.trim().split('.').collect();
    if path.len() < 2 || path.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::BadOverride(item.into()));
    }
    let value = format!("v = {}", raw.trim())
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
    let mut node = table;
    for part in &path[..path.len() - 1] {
        let entry = node.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = entry.as_table_mut().ok_or_else(|| ConfigError::BadOverride(item.into()))?;
    }
    node.insert(path[path.len() - 1].to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[dataset]
name = "synthetic"
[model]
arch = "convnet18"
[optimizer]
kind = "sgd"
lr = 0.01
"#;

    #[test]
    fn a_config_extends_another_key_by_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("base.toml"), format!("{MINIMAL}\n[training]\nbatch_size = 64\nseed = 3\n")).expect("write");
        let child = dir.path().join("child.toml");
        std::fs::write(&child, "extends = \"base.toml\"\n[training]\nseed = 9\n[optimizer]\nlr = 0.2\n").expect("write");
        let config = UncheckedConfig::load(&child, &[]).expect("loads");
        assert_eq!((config.training.batch_size, config.training.seed), (64, 9));
        assert_eq!((config.optimizer.lr, config.optimizer.momentum), (0.2, 0.9));
        // A file that extends itself ends with an error naming the key.
        let looped = dir.path().join("loop.toml");
        std::fs::write(&looped, "extends = \"loop.toml\"\n").expect("write");
        let err = UncheckedConfig::load(&looped, &[]).expect_err("loop");
        assert!(err.to_string().contains("extends"), "{err}");
    }

    #[test]
    fn a_syntax_error_is_one_line_with_line_and_column() {
        let err = UncheckedConfig::parse("[dataset]\nname = \"synthetic\"\n[model\narch = 1\n", "c.toml", &[]).expect_err("syntax");
        let text = err.to_string();
        assert!(text.starts_with("c.toml:3:7: "), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn overrides_and_errors_name_the_key() {
        let sets = vec!["optimizer.lr=0.5".into(), "model.activation=tanh".into()];
        let config = UncheckedConfig::parse(MINIMAL, "c.toml", &sets).expect("parses");
        assert_eq!(config.optimizer.lr, 0.5);
        assert_eq!(config.model.activation.name(), "tanh");

        let err = UncheckedConfig::parse(&format!("{MINIMAL}\nlearning_rate = 1"), "c.toml", &[]).expect_err("unknown key");
        assert!(err.to_string().contains("learning_rate"), "{err}");
        let err = UncheckedConfig::parse(MINIMAL, "c.toml", &["optimizer.lr=-1".into()])
            .expect("parses")
            .check("c.toml")
            .expect_err("negative lr");
        assert!(err.to_string().contains("optimizer.lr"), "{err}");
        let err = UncheckedConfig::parse(MINIMAL, "c.toml", &["model.activation=swish9".into()]).expect_err("bad activation");
        assert!(err.to_string().contains("swish9"), "{err}");
        let err = UncheckedConfig::parse(MINIMAL, "c.toml", &["training.batch_size=\"x\"".into()]).expect_err("wrong type");
        assert!(err.to_string().contains("batch_size"), "{err}");
    }
}
