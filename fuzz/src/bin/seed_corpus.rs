//! Writes the seed corpus of `decode_validate`: every module of the spec
//! testsuite's scripts (valid, invalid and malformed alike), deduplicated,
//! small ones first, up to a total size that stays reasonable in git.
//!
//! `seed_corpus <directory of .wast files> [output directory]`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::{env, fs};

use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};

/// Larger modules add little that smaller ones do not.
const MAX_MODULE: usize = 4096;
const MAX_TOTAL: usize = 1_500_000;

fn wast_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            wast_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wast") {
            out.push(path);
        }
    }
}

fn modules(path: &Path) -> Vec<Vec<u8>> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(buffer) = ParseBuffer::new(&text) else {
        return Vec::new();
    };
    let Ok(script) = parser::parse::<Wast>(&buffer) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for directive in script.directives {
        let mut module = match directive {
            WastDirective::Module(m)
            | WastDirective::ModuleDefinition(m)
            | WastDirective::AssertMalformed { module: m, .. }
            | WastDirective::AssertInvalid { module: m, .. } => m,
            _ => continue,
        };
        if let Ok(bytes) = module.encode() {
            found.push(bytes);
        }
    }
    found
}

fn main() {
    let mut args = env::args().skip(1);
    let source = args
        .next()
        .expect("usage: seed_corpus <wast directory> [output directory]");
    let output = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/decode_validate"));
    let mut files = Vec::new();
    wast_files(Path::new(&source), &mut files);
    files.sort();
    let unique: BTreeSet<(usize, Vec<u8>)> = files
        .iter()
        .flat_map(|f| modules(f))
        .filter(|m| m.len() <= MAX_MODULE)
        .map(|m| (m.len(), m))
        .collect();
    fs::create_dir_all(&output).expect("output directory");
    let (mut total, mut count) = (0, 0);
    for (len, bytes) in unique {
        if total + len > MAX_TOTAL {
            break;
        }
        fs::write(output.join(format!("seed-{count:05}.wasm")), &bytes).expect("write seed");
        total += len;
        count += 1;
    }
    println!(
        "{count} modules, {total} bytes, from {} scripts",
        files.len()
    );
}
