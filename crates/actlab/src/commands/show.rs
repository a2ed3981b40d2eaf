//! `actlab show filters RUN_DIR`: any run folder's first-layer filters, at init and trained.

use actlab_experiments::filters::{Filters, filters_figure};
use actlab_experiments::toolkit::saved::{initial_model, saved_model};
use actlab_train::{RunFolder, UncheckedConfig};
use anyhow::{Context, Result, bail};

use crate::args::ShowFiltersArgs;

pub fn filters(args: ShowFiltersArgs) -> Result<()> {
    let folder = RunFolder::new(&args.run_dir);
    let config_path = folder.config_path();
    let mut config = UncheckedConfig::load(&config_path, &[]).with_context(|| format!("{} is not a run folder", args.run_dir.display()))?;
    if !folder.model_path().exists() {
        bail!("{}: no model.bpk; the run has not finished (train it to the end first)", args.run_dir.display());
    }
    if let Some(data) = args.data {
        config.dataset.path = data;
    }
    let data = config.dataset.load(config.training.seed).with_context(|| format!("reading the data named in {}", config_path.display()))?;
    let init = Filters::of(&initial_model(&config, &data)?)?;
    let trained = Filters::of(&saved_model(&config, &data, &args.run_dir)?)?;
    let out = args.out.unwrap_or_else(|| args.run_dir.clone());
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    filters_figure(&out, &init, &[(config.model.activation.to_string(), trained)])?;
    println!("{}", out.join("filters.png").display());
    Ok(())
}
