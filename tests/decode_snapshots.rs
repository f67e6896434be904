//! Decoding snapshots: each fixture in `fixtures/decode/` is assembled with
//! `wat`, decoded by Tabula and printed with `tabula::binary::dump`; the text
//! must match the reviewed snapshot in `snapshots/`.
//!
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always`).

use tabula::binary::{self, Opcode};
use tabula::Features;

#[test]
fn decoded_fixtures_match_snapshots() {
    insta::glob!("fixtures/decode/*.wat", |path| {
        let bytes = wat::parse_file(path).expect("fixture assembles");
        let features = Features::default();
        let module = binary::decode(&bytes, &features).expect("fixture decodes");
        let text = binary::dump(&module, &features).expect("bodies decode");
        insta::assert_snapshot!(text);
    });
}

/// Every row of the table, printed by the function `tabula opcodes` prints
/// with: a change to `opcodes.toml` shows up here for review.
#[test]
fn opcode_table_matches_snapshot() {
    insta::assert_snapshot!(tabula::binary::opcode_table());
}

/// Each opcode's bytes decode back to the same opcode, and its mnemonic is
/// the one the `wast` crate (via `wat`) assembles to those bytes: the table
/// cannot drift from the text format.
#[test]
fn table_bytes_and_mnemonics_agree_with_wat() {
    // A module with one of everything an instruction's immediates may name.
    let prelude = r#"(type $t (func)) (table $tab 1 funcref) (memory 1) (global $g (mut i32) (i32.const 0))
        (elem $e func $f) (data $d "x") (tag $tag) (type $s (struct (field (mut i32))))
        (type $a (array (mut i32))) (func $f (param i32) (local i32 v128)"#;
    for opcode in Opcode::ALL {
        let name = opcode.mnemonic();
        let immediates: Vec<&str> = opcode
            .immediates()
            .iter()
            .map(|imm| match imm.rsplit(": ").next().unwrap_or(imm) {
                "labelidx" | "localidx" | "globalidx" | "funcidx" | "elemidx" | "dataidx"
                | "tagidx" => "0",
                "tableidx" => "$tab",
                "typeidx" => "(type $t)",
                "i32" | "i64" | "f32" | "f64" => "1",
                "heaptype" => "func",
                "valtypes" => "(result i32)",
                "v128" => "i32x4 0 0 0 0",
                "shuffle" => "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
                "lane2" | "lane4" | "lane8" | "lane16" => "1",
                "br_table" => "0 0",
                // memidx: WebAssembly 2.0 text leaves the only memory implicit.
                _ => "",
            })
            .collect();
        let mut text = format!("{name} {}", immediates.join(" "));
        if matches!(name, "block" | "loop" | "if" | "try_table") {
            text.push_str(" end");
        }
        // The text format orders these immediates differently from the binary.
        match name {
            "table.init" => text = "table.init $tab $e".into(),
            "call_indirect" | "return_call_indirect" => text = format!("{name} $tab (type $t)"),
            "call_ref" | "return_call_ref" => text = format!("{name} $t"),
            "struct.new" | "struct.new_default" => text = format!("{name} $s"),
            "struct.get" | "struct.get_s" | "struct.get_u" | "struct.set" => {
                text = format!("{name} $s 0")
            }
            "array.new_fixed" => text = format!("{name} $a 0"),
            "array.new_data" | "array.init_data" => text = format!("{name} $a $d"),
            "array.new_elem" | "array.init_elem" => text = format!("{name} $a $e"),
            "array.copy" => text = format!("{name} $a $a"),
            "array.len" => text = name.into(),
            _ if name.starts_with("array.") => text = format!("{name} $a"),
            // The binary has one opcode per nullability; the text says it in
            // the reference type.
            "ref.test" | "ref.cast" => {
                let null = format!("{opcode:?}").ends_with("Null");
                let ty = if null { "(ref null any)" } else { "(ref any)" };
                text = format!("{name} {ty}");
            }
            "br_on_cast" | "br_on_cast_fail" => text = format!("{name} 0 anyref anyref"),
            _ => {}
        }
        if name == "else" || name == "end" {
            continue; // only meaningful inside a block; covered by the fixtures
        }
        let wat = format!("(module {prelude} {text}))");
        let bytes = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{name}: {e}\n{wat}"));
        let features = Features::default();
        let module = binary::decode(&bytes, &features).unwrap_or_else(|e| panic!("{name}: {e}"));
        let body = module.code.last().expect("one function");
        let instructions = module.body_instructions(body, &features).expect("decodes");
        let first = &instructions.first().expect("one instruction").1;
        assert_eq!(first.opcode(), opcode, "wat assembled `{text}` to {first}");
        assert_eq!(first.opcode().mnemonic(), name);
    }
}
