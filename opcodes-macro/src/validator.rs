//! `FuncValidator::validate_instruction`.
//!
//! Rows with a fixed `sig` get their whole typing generated: immediate checks,
//! operand pops in reverse order, result pushes, then the `Op` they compile to.
//! Other rows call a hand-written method named after the row:
//! `check_<id>` (typing only; the `Op` is still generated) for `exec = "runtime"`,
//! `compile_<id>` (typing and translation) for `exec = "control"`.

use crate::instructions::pattern;
use crate::table::{Exec, Imm, ImmKind, Op, Table};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// How a hand-written method receives an immediate bound by reference.
fn argument(imm: &Imm) -> TokenStream {
    let field = &imm.field;
    match imm.kind {
        ImmKind::BrTable | ImmKind::ValTypes => quote!(#field),
        _ => quote!(*#field),
    }
}

/// The field initialiser of the compiled `Op` for one immediate.
fn op_field(imm: &Imm) -> TokenStream {
    let field = &imm.field;
    match imm.kind {
        ImmKind::MemArg => quote!(offset: #field.offset),
        ImmKind::V128 => quote!(#field: Box::new(#field.0)),
        ImmKind::Shuffle => quote!(#field: Box::new(*#field)),
        ImmKind::F32 => quote!(#field: f32::from_bits(#field.0)),
        ImmKind::F64 => quote!(#field: f64::from_bits(#field.0)),
        _ => quote!(#field: *#field),
    }
}

fn imm_check(op: &Op, imm: &Imm) -> TokenStream {
    let field = &imm.field;
    match imm.kind {
        ImmKind::I32 | ImmKind::I64 | ImmKind::F32 | ImmKind::F64 | ImmKind::V128 => quote!(),
        ImmKind::MemArg => {
            let align = Literal::u32_unsuffixed(op.natural_align().unwrap_or(0));
            quote!(self.check_memarg(#field, #align)?;)
        }
        ImmKind::Lane(n) => {
            let n = Literal::u8_unsuffixed(n);
            quote!(self.check_lane(*#field, #n)?;)
        }
        ImmKind::Shuffle => quote!(self.check_shuffle(#field)?;),
        kind => {
            let check = format_ident!("check_{}", kind.name());
            quote!(self.#check(*#field)?;)
        }
    }
}

/// `self.emit(Op::X { .. });` for rows that compile to their own `Op`.
fn emit(op: &Op) -> TokenStream {
    let v = &op.variant;
    if op.imms.is_empty() {
        quote!(self.emit(Op::#v);)
    } else {
        let fields = op.imms.iter().map(op_field);
        quote!(self.emit(Op::#v { #(#fields),* });)
    }
}

fn arm(op: &Op) -> TokenStream {
    let pat = pattern("Instruction", op);
    let diverge = if op.diverges {
        quote!(self.set_unreachable();)
    } else {
        quote!()
    };
    let args: Vec<TokenStream> = op.imms.iter().map(argument).collect();
    if op.exec == Exec::Control {
        let method = Ident::new(&format!("compile_{}", op.id), Span::call_site());
        return quote! {
            #pat => {
                self.#method(#(#args),*)?;
                #diverge
            }
        };
    }
    let typing = match &op.sig {
        Some(sig) => {
            let checks = op.imms.iter().map(|imm| imm_check(op, imm));
            let pops = sig.params.iter().rev().map(|t| {
                let t = Ident::new(t.variant(), Span::call_site());
                quote!(self.pop_operand(ValType::#t)?;)
            });
            let pushes = sig.results.iter().map(|t| {
                let t = Ident::new(t.variant(), Span::call_site());
                quote!(self.push_operand(ValType::#t);)
            });
            quote!(#(#checks)* #(#pops)* #(#pushes)*)
        }
        None => {
            let method = Ident::new(&format!("check_{}", op.id), Span::call_site());
            quote!(self.#method(#(#args),*)?;)
        }
    };
    let emit = emit(op);
    quote! {
        #pat => {
            #typing
            #emit
            #diverge
        }
    }
}

pub fn generate(table: &Table) -> TokenStream {
    let arms = table.ops.iter().map(arm);
    quote! {
        impl FuncValidator<'_> {
            /// Type-checks one instruction and appends its compiled form.
            pub(super) fn validate_instruction(&mut self, instruction: &Instruction) -> Result<(), ValidationError> {
                match instruction {
                    #( #arms )*
                }
                Ok(())
            }
        }
    }
}
