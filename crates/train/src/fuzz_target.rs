//! The body of the config parser's fuzz target, shared by `fuzz/` (cargo fuzz, libFuzzer) and the
//! smoke run in the test suite: any text must parse or fail with an error, never panic, and a
//! config that passes `check` must come back unchanged from the `config.toml` a run writes.

use crate::config::UncheckedConfig;

pub fn config_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(unchecked) = UncheckedConfig::parse(text, "fuzz.toml", &[]) else { return };
    let Ok(config) = unchecked.check("fuzz.toml") else { return };
    let written = config.to_toml();
    let reread = UncheckedConfig::parse(&written, "config.toml", &[]).and_then(|c| c.check("config.toml"));
    match reread {
        Ok(again) => assert_eq!(again, config, "config.toml does not read back as written:\n{written}"),
        Err(e) => panic!("config.toml as written does not parse: {e}\n{written}"),
    }
}
