//! `FuncValidator::validate_next`: decoding fused with validation.
//!
//! Each row's arm checks its proposal, decodes its immediates from the
//! reader (the same reader calls as `Instruction::decode`) and types it.
//! `pure`, `load` and `store` rows get their whole typing generated:
//! immediate checks and operand pops in reverse order, then `emit_row` with
//! the popped operands and the immediates as code lanes, which selects the
//! handler form and pushes the results. A `const` row pushes a constant operand.
//! `runtime` and `control` rows call a hand-written `compile_<id>` (typing
//! and translation).

use crate::instructions::{opcode_match, proposal_ident, read_call};
use crate::table::{Exec, Imm, ImmKind, Op, Table, ValType};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// How a hand-written method receives an immediate bound by reference.
fn argument(imm: &Imm) -> TokenStream {
    let field = &imm.field;
    match imm.kind {
        ImmKind::BrTable | ImmKind::ValTypes | ImmKind::Catches => quote!(#field),
        _ => quote!(*#field),
    }
}

/// The 32-bit code lanes of one immediate, in the order handlers read them.
fn lanes(imm: &Imm) -> Vec<TokenStream> {
    let field = &imm.field;
    match imm.kind {
        // The fast forms' offset; the general form's lanes are `access_lanes`.
        ImmKind::MemArg => vec![quote!(#field.offset as u32)],
        ImmKind::I32 => vec![quote!(*#field as u32)],
        ImmKind::I64 => vec![
            quote!(*#field as u32),
            quote!((*#field as u64 >> 32) as u32),
        ],
        ImmKind::F32 => vec![quote!(#field.0)],
        ImmKind::F64 => vec![quote!(#field.0 as u32), quote!((#field.0 >> 32) as u32)],
        ImmKind::V128 => (0..4)
            .map(|i| {
                let shift = Literal::u32_unsuffixed(32 * i);
                quote!((#field.0 >> #shift) as u32)
            })
            .collect(),
        ImmKind::Shuffle => (0..4)
            .map(|i| {
                let at = Literal::usize_unsuffixed(4 * i);
                let end = Literal::usize_unsuffixed(4 * i + 4);
                quote!(u32::from_le_bytes(#field[#at..#end].try_into().expect("four bytes")))
            })
            .collect(),
        ImmKind::Lane(_) => vec![quote!(u32::from(*#field))],
        _ => vec![quote!(*#field)],
    }
}

fn imm_check(op: &Op, imm: &Imm) -> TokenStream {
    let field = &imm.field;
    match imm.kind {
        ImmKind::I32 | ImmKind::I64 | ImmKind::F32 | ImmKind::F64 | ImmKind::V128 => quote!(),
        ImmKind::MemArg => {
            let align = Literal::u32_unsuffixed(op.natural_align().unwrap_or(0));
            quote!(let access = self.check_memarg(#field, #align)?;)
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

fn val_type(t: ValType) -> TokenStream {
    let t = Ident::new(t.variant(), Span::call_site());
    quote!(ValType::#t)
}

/// What validating `op` does once its immediates are bound (by reference,
/// to the names of their fields).
fn body(op: &Op) -> TokenStream {
    let diverge = if op.diverges {
        quote!(self.set_unreachable();)
    } else {
        quote!()
    };
    let args: Vec<TokenStream> = op.imms.iter().map(argument).collect();
    let v = &op.variant;
    match op.exec {
        Exec::Control | Exec::Runtime => {
            let method = Ident::new(&format!("compile_{}", op.id), Span::call_site());
            quote! {
                self.#method(#(#args),*)?;
                #diverge
            }
        }
        Exec::Const => {
            let sig = op.sig.as_ref().expect("const rows have a sig");
            let ty = val_type(sig.results[0]);
            let semantics = op.fn_ident();
            let imm = &op.imms[0];
            let field = &imm.field;
            let value = match imm.kind {
                ImmKind::F32 => quote!(f32::from_bits(#field.0)),
                ImmKind::F64 => quote!(f64::from_bits(#field.0)),
                _ => quote!(*#field),
            };
            quote! {
                self.push_const(#ty, Cell::into_cell(semantics::#semantics(#value)));
            }
        }
        Exec::Load | Exec::Store => {
            // The address's type is the memory's, not the row's `i32`: the
            // first pop asks `check_memarg`'s answer.
            let sig = op.sig.as_ref().expect("generated rows have a sig");
            let checks = op.imms.iter().map(|imm| imm_check(op, imm));
            let names: Vec<Ident> = (0..sig.params.len())
                .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
                .collect();
            let pops = sig
                .params
                .iter()
                .zip(&names)
                .enumerate()
                .rev()
                .map(|(i, (t, name))| {
                    let t = if i == 0 {
                        quote!(access.address)
                    } else {
                        val_type(*t)
                    };
                    quote!(let #name = self.pop_operand(#t)?;)
                });
            let result = match sig.results.first() {
                Some(t) => {
                    let t = val_type(*t);
                    quote!(Some(#t))
                }
                None => quote!(None),
            };
            let results = sig.results.iter().map(|t| val_type(*t));
            let fast_lanes: Vec<TokenStream> = op.imms.iter().flat_map(lanes).collect();
            let general_lanes: Vec<TokenStream> = op
                .imms
                .iter()
                .flat_map(|imm| match imm.kind {
                    ImmKind::MemArg => vec![quote!(&access.lanes[..])],
                    _ => lanes(imm).into_iter().map(|l| quote!(&[#l][..])).collect(),
                })
                .collect();
            quote! {
                #(#checks)*
                #(#pops)*
                if access.general {
                    let lanes: Vec<u32> = [#(#general_lanes),*].concat();
                    self.emit_general_access(Opcode::#v, &[#(#names),*], &lanes, #result);
                } else {
                    self.emit_row(Opcode::#v, &[#(#names),*], &[#(#fast_lanes),*], &[#(#results),*])?;
                }
            }
        }
        Exec::Pure => {
            let sig = op.sig.as_ref().expect("generated rows have a sig");
            let checks = op.imms.iter().map(|imm| imm_check(op, imm));
            let names: Vec<Ident> = (0..sig.params.len())
                .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
                .collect();
            let pops = sig.params.iter().zip(&names).rev().map(|(t, name)| {
                let t = val_type(*t);
                quote!(let #name = self.pop_operand(#t)?;)
            });
            let results = sig.results.iter().map(|t| val_type(*t));
            let imm_lanes: Vec<TokenStream> = op.imms.iter().flat_map(lanes).collect();
            quote! {
                #(#checks)*
                #(#pops)*
                self.emit_row(Opcode::#v, &[#(#names),*], &[#(#imm_lanes),*], &[#(#results),*])?;
                #diverge
            }
        }
    }
}

/// The match arm of `op` in `validate_next`: the proposal check, the
/// immediates decoded straight from the reader, then the typing.
fn arm(op: &Op) -> TokenStream {
    let require = if op.proposal == "mvp" {
        quote!()
    } else {
        let p = proposal_ident(&op.proposal);
        quote!(features.require(Proposal::#p, offset)?;)
    };
    let reads = op.imms.iter().map(|Imm { field, kind }| {
        let read = match kind {
            // Borrowed where it is used: no box needed here.
            ImmKind::BrTable => quote!(reader.read_br_table()?),
            _ => read_call(*kind),
        };
        quote!(let #field = &#read;)
    });
    let body = body(op);
    quote!({
        #require
        #(#reads)*
        #body
    })
}

pub fn generate(table: &Table) -> TokenStream {
    let dispatch = opcode_match(table, arm);
    quote! {
        impl<const TRANSLATE: bool> FuncValidator<'_, TRANSLATE> {
            /// Decodes the instruction at the reader's position, type-checks it
            /// and translates it. Immediates go straight from the bytes to
            /// the checks, without an `Instruction` in between.
            pub(super) fn validate_next(&mut self, reader: &mut Reader<'_>) -> Result<(), Failure> {
                let context: &ModuleContext = self.context;
                let features = &context.features;
                let offset = reader.offset();
                let byte = reader.read_u8()?;
                #dispatch
                Ok(())
            }
        }
    }
}
