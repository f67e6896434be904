//! Code generation from `opcodes.toml`, Tabula's instruction table.
//!
//! Three function-like macros read the same table (path relative to the
//! invoking crate's `Cargo.toml`):
//!
//! - [`instructions!`] — the `Proposal` and `Opcode` enums with their metadata,
//!   the decoded `Instruction` type, its decoder and its text printer;
//! - [`validator!`] — `FuncValidator::validate_instruction`: generated typing
//!   for every fixed-stack-effect row, calls to hand-written checks elsewhere;
//! - [`handlers!`] — one threaded-code handler per generated row and operand
//!   form, the fused compare-and-branch handlers, and the lookup functions the
//!   translator selects them with (`row_forms`, `branch_forms`,
//!   `runtime_handler`).
//!
//! The generated code names runtime items without paths (`Reader`, `ValType`,
//! `semantics`, ...), so each invoking module imports what its macro uses.
//! Set `TABULA_DEBUG_EXPAND=1` to write each expansion, formatted by
//! `prettyplease`, to `$CARGO_TARGET_DIR/opcodes-<macro>.rs` (`target/` when
//! the variable is unset) for reading.
//!
//! The path given to each macro is relative to the invoking package's
//! `Cargo.toml` (`CARGO_MANIFEST_DIR`), so it must lie inside that package
//! for `cargo package` to ship it: `runtime/opcodes.toml` is a symbolic link
//! to the repository's table, which `cargo package` copies into the archive
//! as a file.

mod handlers;
mod instructions;
mod table;
mod validator;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use std::path::PathBuf;
use syn::LitStr;
use table::Table;

/// Generates the opcode metadata, `Instruction`, its decoder and printer.
///
/// `opcodes_macro::instructions!("opcodes.toml");`
#[proc_macro]
pub fn instructions(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path, "instructions", |table| {
        Ok(instructions::generate(table))
    })
}

/// Generates `FuncValidator::validate_instruction`.
///
/// `opcodes_macro::validator!("opcodes.toml");`
#[proc_macro]
pub fn validator(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path, "validator", |table| Ok(validator::generate(table)))
}

/// Generates the executor's handlers and the translator's selection tables.
///
/// `opcodes_macro::handlers!("opcodes.toml");`
#[proc_macro]
pub fn handlers(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path, "handlers", |table| Ok(handlers::generate(table)))
}

fn expand(
    path: &LitStr,
    what: &str,
    generate: impl FnOnce(&Table) -> Result<proc_macro2::TokenStream, String>,
) -> TokenStream {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let full: PathBuf = PathBuf::from(manifest).join(path.value());
    let text = match std::fs::read_to_string(&full) {
        Ok(text) => text,
        Err(e) => return error(path.span(), &format!("cannot read {}: {e}", full.display())),
    };
    let table = match Table::parse(&text) {
        Ok(table) => table,
        Err(message) => return error(path.span(), &message),
    };
    let body = match generate(&table) {
        Ok(body) => body,
        Err(message) => return error(path.span(), &message),
    };
    debug_dump(what, &body);
    let full = full.to_string_lossy().into_owned();
    // Makes rustc rebuild the invoking crate when the table changes.
    quote! {
        const _: &str = include_str!(#full);
        #body
    }
    .into()
}

fn error(span: Span, message: &str) -> TokenStream {
    syn::Error::new(span, message).to_compile_error().into()
}

fn debug_dump(what: &str, body: &proc_macro2::TokenStream) {
    if std::env::var_os("TABULA_DEBUG_EXPAND").is_none() {
        return;
    }
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let _ = std::fs::create_dir_all(&dir);
    // A debugging aid: an expansion that is not a valid file is written as
    // raw tokens, and write errors are ignored.
    let text = match syn::parse2::<syn::File>(body.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => body.to_string(),
    };
    let _ = std::fs::write(format!("{dir}/opcodes-{what}.rs"), text);
}
