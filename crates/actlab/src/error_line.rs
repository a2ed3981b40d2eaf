//! Every error as one line: the chain of causes joined by ": ", a cause whose text the line
//! already holds left out (a library error that prints its source, with that source again in
//! the chain, said the same thing twice), and no line breaks or control characters (a damaged
//! archive's bytes in a message could move the cursor or change the terminal's colours).

/// `err` and its causes as one printable line.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(text.trim()) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    printable(&line)
}

/// Line breaks (and the indentation after them) become one space; other control characters are
/// written as escapes (`\u{1b}`).
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_break = false;
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            after_break = true;
        } else if after_break && c.is_whitespace() {
        } else if c.is_control() {
            after_break = false;
            out.extend(c.escape_debug());
        } else {
            after_break = false;
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{path}: {source}")]
    struct Io {
        path: String,
        source: std::io::Error,
    }

    #[test]
    fn a_cause_already_printed_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let err = anyhow::Error::new(Io { path: "x/config.toml".into(), source: io }).context("loading the config");
        assert_eq!(one_line(&err), "loading the config: x/config.toml: No such file or directory (os error 2)");
    }

    #[test]
    fn breaks_and_control_characters_do_not_reach_the_terminal() {
        let err = anyhow::anyhow!("bad name \u{1b}[31mred\u{7}\n   second line\r\n");
        assert_eq!(one_line(&err), "bad name \\u{1b}[31mred\\u{7} second line");
    }
}
