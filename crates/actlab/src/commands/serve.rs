//! `actlab serve`: the web server over the run folders, until Ctrl-C.

use actlab_serve::ServeOptions;
use anyhow::{Context, Result};
use std::io::Write;

use crate::args::ServeArgs;

pub fn run(args: ServeArgs) -> Result<()> {
    let exe = actlab_experiments::toolkit::runner::this_binary().context("the actlab binary")?;
    let mut race_args = args.race_set.clone();
    if let Some(data) = &args.race_data {
        race_args.push(format!("dataset.path={:?}", data.display().to_string()));
    }
    let options =
        ServeOptions { roots: args.roots, host: args.host, port: args.port, token: std::env::var("ACTLAB_TOKEN").ok(), exe, race_args }
            .check()?;
    if !options.loopback {
        eprintln!("warning: listening on {}, reachable from other machines; anyone who has the token can start work", options.addr);
    }
    let token = options.token.clone();
    let open = args.open;
    actlab_serve::run(options, move |addr| {
        let url = format!("http://{addr}/#token={token}");
        // Written, not println!-ed: a reader that closed the pipe must not take the server down.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "actlab serve: {url}");
        let _ = writeln!(out, "(the token in that address lets a page start and stop experiments; Ctrl-C stops the server)");
        if open {
            for opener in ["xdg-open", "open"] {
                if std::process::Command::new(opener).arg(&url).spawn().is_ok() {
                    break;
                }
            }
        }
    })?;
    Ok(())
}
