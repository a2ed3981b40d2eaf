//! `actlab data download` and `actlab data info`.

use actlab_datasets::download::{Timeouts, fetch, sources};
use actlab_datasets::{DatasetConfig, DatasetName, info};
use anyhow::{Context, Result};
use std::path::Path;

use crate::args::{DownloadArgs, InfoArgs};

pub fn download(args: DownloadArgs) -> Result<()> {
    let timeouts = Timeouts::both(std::time::Duration::from_secs_f64(args.timeout));
    for source in sources(args.dataset.into(), &args.dir, args.mirror.as_deref())? {
        let verb = if fetch(&source, true, timeouts)? { "downloaded" } else { "already present" };
        println!("{verb}: {} (md5 {})", source.dest.display(), source.md5);
    }
    Ok(())
}

pub fn info(args: InfoArgs) -> Result<()> {
    let name = args.dataset.map_or_else(|| guess_dataset(&args.path), Into::into);
    let mut config = DatasetConfig::new(name);
    config.path = args.path.clone();
    let data = config.load(0).with_context(|| format!("reading {name} from {}", args.path.display()))?;
    print!("{name} at {}\n{}", args.path.display(), info::describe(&data));
    Ok(())
}

fn guess_dataset(path: &Path) -> DatasetName {
    let text = path.display().to_string().to_ascii_lowercase();
    let has = |name: &str| path.join(name).exists();
    if text.contains("fashion") || has("fashion-mnist") {
        DatasetName::FashionMnist
    } else if text.contains("mnist") || has("mnist") || has("train-images-idx3-ubyte.gz") || has("train-images-idx3-ubyte") {
        DatasetName::Mnist
    } else {
        DatasetName::Cifar10
    }
}
