//! `actlab answer [--docs DIR] [--write README.md]`: the README's answer table from the reports.

use actlab_experiments::answer::{BEGIN, END, answer_table, replace_between_markers};
use anyhow::{Context, Result, bail};

use crate::args::AnswerArgs;

pub fn run(args: AnswerArgs) -> Result<()> {
    let table = answer_table(&args.docs)?;
    let Some(path) = args.write else {
        print!("{table}");
        return Ok(());
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some(new) = replace_between_markers(&text, &table) else {
        bail!("{}: no answer markers (a line `{BEGIN}` and, after it, `{END}`)", path.display());
    };
    std::fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote the answer table into {}", path.display());
    Ok(())
}
