//! `actlab bench`.

use actlab_experiments::bench::{self, BenchOptions};
use anyhow::{Context, Result};

use crate::args::BenchArgs;

pub fn run(args: BenchArgs) -> Result<()> {
    let options = BenchOptions::from(&args).check()?;
    let report = bench::run(&options, &mut |line| eprintln!("{line}"));
    let markdown = bench::markdown(&report);
    println!("\n{markdown}");
    if let Some(out) = args.out {
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(out.join("bench.json"), json).with_context(|| format!("writing {}", out.display()))?;
        std::fs::write(out.join("bench.md"), markdown).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.join("bench.md").display());
    }
    Ok(())
}
