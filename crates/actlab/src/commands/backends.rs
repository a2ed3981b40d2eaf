//! `actlab backends`.

use actlab_train::Backend;
use anyhow::Result;

pub fn run() -> Result<()> {
    for backend in Backend::ALL {
        match backend.probe() {
            Ok(_) => println!("{backend}: available"),
            Err(why) => println!("{backend}: unavailable ({why})"),
        }
    }
    Ok(())
}
