//! Every `tabula` and `cargo run --release --` command in the README, run
//! as a shell runs it, from the repository's root: each must succeed (or,
//! where its comment says it traps, trap), and print what its comment says
//! it prints.
//!
//! `tabula` is the binary Cargo built for this test, found first on `PATH`;
//! `cargo run --release --` is replaced by it. Blocks that download
//! something (the CPython example) are left out.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A command from a fenced `sh` block, with what its comment promises.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    comment: String,
}

/// The commands to run: `tabula ...` and `cargo run --release -- ...`
/// lines of every `sh` block that downloads nothing.
fn examples(readme: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut block: Option<Vec<(usize, &str)>> = None;
    for (index, line) in readme.lines().enumerate() {
        let trimmed = line.trim();
        match &mut block {
            None if trimmed == "```sh" => block = Some(Vec::new()),
            None => {}
            Some(lines) if trimmed.starts_with("```") => {
                let downloads = lines
                    .iter()
                    .any(|(_, l)| l.contains("pip ") || l.contains("curl "));
                if !downloads {
                    for &(line, text) in lines.iter() {
                        let (command, comment) = match text.split_once(" # ") {
                            Some((command, comment)) => (command.trim(), comment.trim()),
                            None => (text, ""),
                        };
                        let runs_tabula = command.starts_with("tabula ")
                            || command.starts_with("cargo run --release -- ");
                        if runs_tabula {
                            examples.push(Example {
                                line,
                                command: command.replacen("cargo run --release --", "tabula", 1),
                                comment: comment.to_string(),
                            });
                        }
                    }
                }
                block = None;
            }
            Some(lines) => lines.push((index + 1, trimmed)),
        }
    }
    examples
}

/// A directory holding only a `tabula` link to the binary under test.
fn bin_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tabula-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("tabula");
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tabula"), &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(env!("CARGO_BIN_EXE_tabula"), &link).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn every_readme_command_works_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let examples = examples(&readme);
    // The README has this many; fewer means the extraction broke.
    assert!(examples.len() >= 14, "{examples:#?}");
    let bin = bin_dir();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // `mktemp -d` in an example makes its directory here, removed after.
    let tmp = bin.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    for example in &examples {
        let output = Command::new("sh")
            .arg("-c")
            .arg(&example.command)
            .env("PATH", &path)
            .env("TMPDIR", &tmp)
            .current_dir(root())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let problem = if let Some(trap) = example.comment.strip_prefix("traps: ") {
            (output.status.code() != Some(134) || !stderr.contains(trap))
                .then(|| format!("expected a trap `{trap}`"))
        } else if !output.status.success() {
            Some(format!("failed with {}", output.status))
        } else if let Some(printed) = example.comment.strip_prefix("prints ") {
            (stdout.trim_end() != printed).then(|| format!("expected it to print `{printed}`"))
        } else {
            None
        };
        if let Some(problem) = problem {
            failures.push(format!(
                "README.md:{}: `{}`: {problem}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                example.line, example.command
            ));
        }
    }
    std::fs::remove_dir_all(&bin).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_extraction_sees_what_it_should() {
    let readme = "text\n```sh\ncargo run --release -- run a.wat   # prints 5\n\
                  cargo test\n```\n```sh\npip download x\ntabula run y\n```\n\
                  ```text\ntabula run FILE\n```\n";
    let examples = examples(readme);
    assert_eq!(examples.len(), 1, "{examples:?}");
    assert_eq!(examples[0].command, "tabula run a.wat");
    assert_eq!(examples[0].comment, "prints 5");
    assert_eq!(examples[0].line, 3);
}
