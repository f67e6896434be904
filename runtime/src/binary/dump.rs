//! The decoded module as text: what `tabula dump` prints and the decoding
//! snapshots record. One line per section entry; function bodies list each
//! instruction with its byte offset, indented by block depth.

use alloc::string::String;
use core::fmt::Write;

use super::instruction::Instruction;
use super::module::{ConstExpr, DataMode, ElementMode, ExportKind, ImportKind, Module};
use super::reader::{DecodeError, Reader};
use crate::features::Features;

fn const_expr(expr: &ConstExpr) -> String {
    let parts: alloc::vec::Vec<String> = expr
        .instructions
        .iter()
        .map(|i| alloc::format!("{i}"))
        .collect();
    alloc::format!("({})", parts.join(" "))
}

fn func_name(module: &Module, index: u32) -> String {
    match module.names.functions.get(&index) {
        Some(name) => alloc::format!(" ${name}"),
        None => String::new(),
    }
}

/// Writes `module` as text, decoding every function body.
pub fn dump(module: &Module, features: &Features) -> Result<String, DecodeError> {
    write_module(module, features, None)
}

/// Writes `module` as text with a failure marked: a line `^ message` under
/// the instruction at byte `offset`, or at the end of the listing when no
/// instruction starts there. A body that cannot be decoded is listed up to
/// the instruction that fails. For modules that decode but do not validate.
pub fn dump_marked(module: &Module, features: &Features, offset: usize, message: &str) -> String {
    // With a mark, a body's decoding error ends that body's listing instead
    // of the whole listing.
    write_module(module, features, Some((offset, message))).unwrap_or_default()
}

/// The line that marks a failure: a caret under the instruction column.
fn mark_line(w: &mut String, depth: usize, message: &str) {
    writeln!(
        w,
        "  {:6}  {}^ {message}",
        "",
        "  ".repeat(depth.saturating_sub(1))
    )
    .ok();
}

fn write_module(
    module: &Module,
    features: &Features,
    mark: Option<(usize, &str)>,
) -> Result<String, DecodeError> {
    let mut marked = false;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let w = &mut out;
    match &module.names.module {
        Some(name) => writeln!(w, "module ${name}").ok(),
        None => writeln!(w, "module").ok(),
    };
    for (i, ty) in module.types.iter().enumerate() {
        // Recursion groups and declared subtypes (GC) are shown; a plain
        // function type is just its type.
        let sub = module.subtype(i as u32);
        let mut how = String::new();
        if sub.group_len > 1 {
            let end = sub.group_start + sub.group_len - 1;
            how += &alloc::format!(" (rec {}..={end})", sub.group_start);
        }
        match (sub.is_final, sub.supertype) {
            (true, None) => {}
            (true, Some(sup)) => how += &alloc::format!(" (sub final {sup})"),
            (false, Some(sup)) => how += &alloc::format!(" (sub {sup})"),
            (false, None) => how += " (sub)",
        }
        writeln!(w, "type {i}: {ty}{how}").ok();
    }
    let mut func_index = 0u32;
    for (i, import) in module.imports.iter().enumerate() {
        let what = match import.kind {
            ImportKind::Func(ty) => {
                func_index += 1;
                alloc::format!("func{} type {ty}", func_name(module, func_index - 1))
            }
            ImportKind::Table(ty) => alloc::format!("table {ty}"),
            ImportKind::Memory(ty) => alloc::format!("memory {}", memory_type(&ty)),
            ImportKind::Global(ty) => alloc::format!(
                "global {}{}",
                if ty.mutable { "mut " } else { "" },
                ty.content
            ),
            ImportKind::Tag(ty) => alloc::format!("tag type {ty}"),
        };
        writeln!(
            w,
            "import {i}: \"{}\" \"{}\" {what}",
            import.module, import.name
        )
        .ok();
    }
    for (i, ty) in module.functions.iter().enumerate() {
        let index = func_index + i as u32;
        writeln!(w, "func {index}{}: type {ty}", func_name(module, index)).ok();
    }
    for (i, table) in module.tables.iter().enumerate() {
        let init = match module.table_inits.get(i) {
            Some(Some(init)) => alloc::format!(" = {}", const_expr(init)),
            _ => String::new(),
        };
        writeln!(w, "table {i}: {table}{init}").ok();
    }
    for (i, memory) in module.memories.iter().enumerate() {
        writeln!(w, "memory {i}: {}", memory_type(memory)).ok();
    }
    let imported_tags = module
        .imports
        .iter()
        .filter(|i| matches!(i.kind, ImportKind::Tag(_)))
        .count();
    for (i, ty) in module.tags.iter().enumerate() {
        writeln!(w, "tag {}: type {ty}", imported_tags + i).ok();
    }
    for (i, global) in module.globals.iter().enumerate() {
        let mutability = if global.ty.mutable { "mut " } else { "" };
        writeln!(
            w,
            "global {i}: {mutability}{} = {}",
            global.ty.content,
            const_expr(&global.init)
        )
        .ok();
    }
    for export in &module.exports {
        let kind = match export.kind {
            ExportKind::Func => "func",
            ExportKind::Table => "table",
            ExportKind::Memory => "memory",
            ExportKind::Global => "global",
            ExportKind::Tag => "tag",
        };
        writeln!(w, "export \"{}\": {kind} {}", export.name, export.index).ok();
    }
    if let Some(start) = module.start {
        writeln!(w, "start: func {start}").ok();
    }
    for (i, element) in module.elements.iter().enumerate() {
        let mode = match &element.mode {
            ElementMode::Active { table, offset } => {
                alloc::format!("active table {table} offset {}", const_expr(offset))
            }
            ElementMode::Passive => "passive".into(),
            ElementMode::Declarative => "declarative".into(),
        };
        let items: alloc::vec::Vec<String> = element.items.iter().map(const_expr).collect();
        writeln!(w, "elem {i}: {mode} {} [{}]", element.ty, items.join(" ")).ok();
    }
    if let Some(count) = module.data_count {
        writeln!(w, "data count: {count}").ok();
    }
    for (i, data) in module.data.iter().enumerate() {
        let mode = match &data.mode {
            DataMode::Active { memory, offset } => {
                alloc::format!("active memory {memory} offset {}", const_expr(offset))
            }
            DataMode::Passive => "passive".into(),
        };
        let bytes = &module.bytes[data.range.clone()];
        let shown: String = bytes
            .iter()
            .take(32)
            .map(|&b| match b {
                b'"' | b'\\' => alloc::format!("\\{}", b as char),
                0x20..=0x7E => alloc::format!("{}", b as char),
                _ => alloc::format!("\\{b:02x}"),
            })
            .collect();
        let more = if bytes.len() > 32 { "..." } else { "" };
        writeln!(
            w,
            "data {i}: {mode} {} bytes \"{shown}{more}\"",
            bytes.len()
        )
        .ok();
    }
    for (i, body) in module.code.iter().enumerate() {
        let index = func_index + i as u32;
        let locals: alloc::vec::Vec<String> = body
            .locals
            .iter()
            .map(|(n, ty)| alloc::format!("{n} {ty}"))
            .collect();
        writeln!(
            w,
            "code func {index}{} locals [{}]:",
            func_name(module, index),
            locals.join(", ")
        )
        .ok();
        let mut depth = 1usize;
        let mut reader = Reader::with_base(&module.bytes[body.code.clone()], body.code.start);
        while !reader.is_empty() {
            let offset = reader.offset();
            let instruction = match Instruction::decode(&mut reader, features) {
                Ok(instruction) => instruction,
                Err(error) => match mark {
                    Some((_, message)) if !marked => {
                        writeln!(
                            w,
                            "  {:06x}: {}?",
                            error.offset,
                            "  ".repeat(depth.saturating_sub(1))
                        )
                        .ok();
                        mark_line(w, depth, message);
                        marked = true;
                        break;
                    }
                    Some(_) => break,
                    None => return Err(error),
                },
            };
            if matches!(instruction, Instruction::End | Instruction::Else) {
                depth = depth.saturating_sub(1);
            }
            writeln!(
                w,
                "  {offset:06x}: {}{instruction}",
                "  ".repeat(depth.saturating_sub(1))
            )
            .ok();
            if let Some((at, message)) = mark {
                if at == offset && !marked {
                    mark_line(w, depth, message);
                    marked = true;
                }
            }
            if matches!(
                instruction,
                Instruction::Block { .. }
                    | Instruction::Loop { .. }
                    | Instruction::If { .. }
                    | Instruction::TryTable { .. }
                    | Instruction::Else
            ) {
                depth += 1;
            }
        }
    }
    for (name, range) in &module.custom_sections {
        writeln!(w, "custom \"{name}\": {} bytes", range.len()).ok();
    }
    if let Some((_, message)) = mark.filter(|_| !marked) {
        writeln!(w, "^ {message}").ok();
    }
    Ok(out)
}

/// A memory type as the text format writes it: `i64 1 2` for a 64-bit
/// memory, `1 2` otherwise, then `(pagesize N)` unless pages are 64 KiB.
fn memory_type(ty: &crate::types::MemoryType) -> alloc::string::String {
    let mut out = match ty.memory64 {
        true => alloc::format!("i64 {}", ty.limits),
        false => alloc::format!("{}", ty.limits),
    };
    if ty.page_size_log2 != crate::types::DEFAULT_PAGE_SIZE_LOG2 {
        // A shift, not `page_size()`: undecodable exponents print as such.
        match 1u128.checked_shl(u32::from(ty.page_size_log2)) {
            Some(size) => out.push_str(&alloc::format!(" (pagesize {size})")),
            None => out.push_str(&alloc::format!(" (pagesize 2^{})", ty.page_size_log2)),
        }
    }
    out
}
