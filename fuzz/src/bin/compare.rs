//! Runs one module (`.wasm`, or `.wat` text) through the differential
//! comparison and prints the outcome: the reproduction tool for
//! `FINDINGS.md`.
//!
//! `compare [--strict] <module file>`: with `--strict`, wasmtime is not
//! consulted and every disagreement is shown with both engines' results.

use std::{env, fs};

fn main() {
    let mut args: Vec<String> = env::args().skip(1).collect();
    let strict = args.first().is_some_and(|a| a == "--strict");
    if strict {
        args.remove(0);
    }
    // `--dirty`: fill and free heap blocks of many sizes first, so memory an
    // engine forgets to initialise holds garbage, as in a long fuzzing run.
    if args.first().is_some_and(|a| a == "--dirty") {
        args.remove(0);
        for round in 0..4u8 {
            let blocks: Vec<Vec<u8>> = (4..24)
                .flat_map(|shift| (0..4).map(move |_| vec![0xA5 ^ round; 1 << shift]))
                .collect();
            drop(blocks);
        }
    }
    let path = args
        .first()
        .expect("usage: compare [--strict] <module file>");
    let bytes = fs::read(path).expect("read the module");
    let wasm = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        wast::parser::parse::<wast::Wat>(
            &wast::parser::ParseBuffer::new(std::str::from_utf8(&bytes).expect("UTF-8 text"))
                .expect("lex"),
        )
        .expect("parse")
        .encode()
        .expect("encode")
    };
    println!(
        "{:?}",
        tabula_fuzz::differential::compare_with(&wasm, !strict)
    );
}
