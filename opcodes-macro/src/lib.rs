//! Code generation from `opcodes.toml`, Tabula's instruction table.
//!
//! Three function-like macros read the same table (path relative to the
//! invoking crate's `Cargo.toml`):
//!
//! - [`instructions!`] — the `Proposal` and `Opcode` enums with their metadata,
//!   the decoded `Instruction` type, its decoder and its text printer;
//! - [`validator!`] — `FuncValidator::validate_instruction`: generated typing
//!   for every fixed-stack-effect row, calls to hand-written checks elsewhere;
//! - [`executor!`] — the compiled-code `Op` enum (table rows plus the internal
//!   ops given to the macro), `table_dispatch!` (the arms of every scalar row
//!   whose semantics is a plain function, spliced into the interpreter's own
//!   `match`) and `execute_vector_op` (the same for rows touching `v128`).
//!
//! The generated code names runtime items without paths (`Reader`, `ValType`,
//! `semantics`, ...), so each invoking module imports what its macro uses.
//! Set `TABULA_DEBUG_EXPAND=1` to write each expansion to `target/` for reading.

mod executor;
mod instructions;
mod table;
mod validator;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use std::path::PathBuf;
use syn::parse::{Parse, ParseStream};
use syn::{braced, punctuated::Punctuated, Ident, LitStr, Token, Variant};
use table::Table;

/// Generates the opcode metadata, `Instruction`, its decoder and printer.
///
/// `opcodes_macro::instructions!("../opcodes.toml");`
#[proc_macro]
pub fn instructions(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path, "instructions", |table| {
        Ok(instructions::generate(table))
    })
}

/// Generates `FuncValidator::validate_instruction`.
///
/// `opcodes_macro::validator!("../opcodes.toml");`
#[proc_macro]
pub fn validator(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path, "validator", |table| Ok(validator::generate(table)))
}

/// Generates the `Op` enum, `table_dispatch!` and `execute_vector_op`.
///
/// ```text
/// opcodes_macro::executor! {
///     table = "../opcodes.toml";
///     internal {
///         /// Jumps to `target`.
///         Jump { target: u32 },
///     }
/// }
/// ```
#[proc_macro]
pub fn executor(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as ExecutorInput);
    let internal: Vec<Variant> = input.internal.into_iter().collect();
    expand(&input.table, "executor", |table| {
        executor::generate(table, &internal)
    })
}

struct ExecutorInput {
    table: LitStr,
    internal: Punctuated<Variant, Token![,]>,
}

impl Parse for ExecutorInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if key != "table" {
            return Err(syn::Error::new(key.span(), "expected `table = \"...\";`"));
        }
        input.parse::<Token![=]>()?;
        let table = input.parse()?;
        input.parse::<Token![;]>()?;
        let key: Ident = input.parse()?;
        if key != "internal" {
            return Err(syn::Error::new(key.span(), "expected `internal { ... }`"));
        }
        let body;
        braced!(body in input);
        let internal = body.parse_terminated(Variant::parse, Token![,])?;
        Ok(ExecutorInput { table, internal })
    }
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
    let _ = std::fs::write(format!("{dir}/opcodes-{what}.rs"), body.to_string());
}
