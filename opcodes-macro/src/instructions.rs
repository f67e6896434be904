//! `Proposal`, `Opcode`, `Instruction`, the decoder and the printer.

use crate::table::{camel_case, Constant, Imm, ImmKind, Op, Table};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// The Rust type of an immediate in the decoded `Instruction`.
pub fn instruction_type(kind: ImmKind) -> TokenStream {
    match kind {
        ImmKind::Index(_) | ImmKind::MemIdx => quote!(u32),
        ImmKind::I32 => quote!(i32),
        ImmKind::I64 => quote!(i64),
        ImmKind::F32 => quote!(Ieee32),
        ImmKind::F64 => quote!(Ieee64),
        ImmKind::MemArg => quote!(MemArg),
        ImmKind::BlockType => quote!(BlockType),
        ImmKind::BrTable => quote!(Box<BrTable>),
        ImmKind::HeapType => quote!(HeapType),
        ImmKind::ValTypes => quote!(Box<[ValType]>),
        ImmKind::Catches => quote!(Box<[Catch]>),
        ImmKind::U32 => quote!(u32),
        ImmKind::CastFlags => quote!(u8),
        ImmKind::V128 => quote!(V128),
        ImmKind::Lane(_) => quote!(u8),
        ImmKind::Shuffle => quote!([u8; 16]),
    }
}

/// The reader call that decodes an immediate of `kind`.
pub fn read_call(kind: ImmKind) -> TokenStream {
    match kind {
        ImmKind::Index(_) => quote!(reader.read_var_u32()?),
        ImmKind::MemIdx => quote!(reader.read_memidx(features)?),
        ImmKind::I32 => quote!(reader.read_var_i32()?),
        ImmKind::I64 => quote!(reader.read_var_i64()?),
        ImmKind::F32 => quote!(reader.read_ieee32()?),
        ImmKind::F64 => quote!(reader.read_ieee64()?),
        ImmKind::MemArg => quote!(reader.read_memarg(features)?),
        ImmKind::BlockType => quote!(reader.read_blocktype(features)?),
        ImmKind::BrTable => quote!(Box::new(reader.read_br_table()?)),
        ImmKind::HeapType => quote!(reader.read_heaptype(features)?),
        ImmKind::ValTypes => quote!(reader.read_valtypes(features)?),
        ImmKind::Catches => quote!(reader.read_catches()?),
        ImmKind::U32 => quote!(reader.read_var_u32()?),
        ImmKind::CastFlags => quote!(reader.read_cast_flags()?),
        ImmKind::V128 => quote!(reader.read_v128()?),
        ImmKind::Lane(_) => quote!(reader.read_u8()?),
        ImmKind::Shuffle => quote!(reader.read_shuffle()?),
    }
}

/// `Variant` or `Variant { a, b }` as a pattern binding every immediate.
pub fn pattern(enum_name: &str, op: &Op) -> TokenStream {
    let enum_ident = Ident::new(enum_name, Span::call_site());
    let variant = &op.variant;
    if op.imms.is_empty() {
        quote!(#enum_ident::#variant)
    } else {
        let fields = op.imms.iter().map(|i| &i.field);
        quote!(#enum_ident::#variant { #(#fields),* })
    }
}

pub fn proposal_ident(name: &str) -> Ident {
    Ident::new(&camel_case(name), Span::call_site())
}

fn encoding_text(op: &Op) -> String {
    match op.prefix {
        Some(prefix) => format!("{prefix:#04X} {:#04X}", op.code).replace("0X", "0x"),
        None => format!("{:#04X}", op.code).replace("0X", "0x"),
    }
}

pub fn generate(table: &Table) -> TokenStream {
    let proposals = generate_proposals(table);
    let opcode = generate_opcode(table);
    let instruction = generate_instruction(table);
    let decoder = generate_decoder(table);
    let printer = generate_printer(table);
    quote! {
        #proposals
        #opcode
        #instruction
        #decoder
        #printer
    }
}

fn generate_proposals(table: &Table) -> TokenStream {
    let idents: Vec<Ident> = table.proposals.iter().map(|p| proposal_ident(p)).collect();
    let names = &table.proposals;
    let docs = names.iter().map(|n| {
        if table.ops.iter().any(|op| &op.proposal == n) {
            format!("Instructions of the `{n}` group.")
        } else {
            format!("The `{n}` proposal: makes older instructions constant.")
        }
    });
    let count = names.len();
    quote! {
        /// A WebAssembly proposal that contributes instructions to the table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Proposal {
            #( #[doc = #docs] #idents, )*
        }

        impl Proposal {
            /// Every proposal, in table order.
            pub const ALL: [Proposal; #count] = [ #( Proposal::#idents ),* ];

            /// The proposal's name as written in `opcodes.toml`.
            pub const fn name(self) -> &'static str {
                match self {
                    #( Proposal::#idents => #names, )*
                }
            }
        }
    }
}

fn generate_opcode(table: &Table) -> TokenStream {
    let variants: Vec<&Ident> = table.ops.iter().map(|op| &op.variant).collect();
    let count = variants.len();
    let docs = table
        .ops
        .iter()
        .map(|op| format!(" `{}` ({}): {}", op.name, encoding_text(op), op.doc));
    let constants = table
        .ops
        .iter()
        .filter(|op| op.constant.is_some())
        .map(|op| &op.variant);
    let const_proposals = table.ops.iter().filter_map(|op| {
        let v = &op.variant;
        let p = proposal_ident(op.const_proposal.as_ref()?);
        Some(quote!(Opcode::#v => Some(Proposal::#p)))
    });
    let mnemonics = table.ops.iter().map(|op| &op.name);
    let prefixes = table.ops.iter().map(|op| match op.prefix {
        Some(p) => quote!(Some(#p)),
        None => quote!(None),
    });
    let codes = table.ops.iter().map(|op| op.code);
    let proposals = table.ops.iter().map(|op| proposal_ident(&op.proposal));
    let imms = table.ops.iter().map(|op| {
        let kinds = op.imms.iter().map(|i| {
            if i.field == i.kind.name() {
                i.kind.name()
            } else {
                format!("{}: {}", i.field, i.kind.name())
            }
        });
        quote!(&[#(#kinds),*])
    });
    let effects = table.ops.iter().map(|op| match &op.sig {
        Some(sig) => {
            let text = &sig.text;
            quote!(Some(#text))
        }
        None => quote!(None),
    });
    let single: Vec<TokenStream> = table
        .ops
        .iter()
        .filter(|op| op.prefix.is_none())
        .map(|op| {
            let code = Literal::u8_suffixed(op.code as u8);
            let v = &op.variant;
            quote!(#code => Some(Opcode::#v))
        })
        .collect();
    let prefixed: Vec<TokenStream> = table
        .ops
        .iter()
        .filter_map(|op| {
            let prefix = op.prefix?;
            let code = op.code;
            let v = &op.variant;
            Some(quote!((#prefix, #code) => Some(Opcode::#v)))
        })
        .collect();
    quote! {
        /// Every instruction of the table, without immediates.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode {
            #( #[doc = #docs] #variants, )*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: [Opcode; #count] = [ #( Opcode::#variants ),* ];

            /// The text-format mnemonic, e.g. `i32.add`.
            pub const fn mnemonic(self) -> &'static str {
                match self {
                    #( Opcode::#variants => #mnemonics, )*
                }
            }

            /// The prefix byte (`0xFC`, `0xFD`) of a multi-byte opcode.
            pub const fn prefix(self) -> Option<u8> {
                match self {
                    #( Opcode::#variants => #prefixes, )*
                }
            }

            /// The opcode byte, or the sub-opcode after the prefix.
            pub const fn code(self) -> u32 {
                match self {
                    #( Opcode::#variants => #codes, )*
                }
            }

            /// The proposal that introduced the instruction.
            pub const fn proposal(self) -> Proposal {
                match self {
                    #( Opcode::#variants => Proposal::#proposals, )*
                }
            }

            /// The immediate kinds in encoding order (`field: kind` where named).
            pub const fn immediates(self) -> &'static [&'static str] {
                match self {
                    #( Opcode::#variants => #imms, )*
                }
            }

            /// The fixed stack effect, or `None` when the typing is hand-written.
            pub const fn stack_effect(self) -> Option<&'static str> {
                match self {
                    #( Opcode::#variants => #effects, )*
                }
            }

            /// Whether the instruction may appear in a constant expression
            /// (the table's `const = true` rows).
            pub const fn is_constant(self) -> bool {
                matches!(self, #( Opcode::#constants )|*)
            }

            /// The proposal that allows the instruction in constant
            /// expressions (its own, or a later one such as `extended_const`),
            /// or `None` if it is never constant.
            pub const fn constant_proposal(self) -> Option<Proposal> {
                match self {
                    #( #const_proposals, )*
                    _ => None,
                }
            }

            /// The single-byte opcode `byte`, if there is one.
            pub const fn from_byte(byte: u8) -> Option<Opcode> {
                match byte {
                    #( #single, )*
                    _ => None,
                }
            }

            /// The opcode `code` after the prefix byte `prefix`, if there is one.
            pub const fn from_prefixed(prefix: u8, code: u32) -> Option<Opcode> {
                match (prefix, code) {
                    #( #prefixed, )*
                    _ => None,
                }
            }
        }
    }
}

fn generate_instruction(table: &Table) -> TokenStream {
    let variants = table.ops.iter().map(|op| {
        let v = &op.variant;
        let doc = format!(" `{}` ({}): {}", op.name, encoding_text(op), op.doc);
        if op.imms.is_empty() {
            quote!(#[doc = #doc] #v)
        } else {
            let fields = op.imms.iter().map(|Imm { field, kind }| {
                let ty = instruction_type(*kind);
                let doc = format!("The `{}` immediate.", kind.name());
                quote!(#[doc = #doc] #field: #ty)
            });
            quote!(#[doc = #doc] #v { #(#fields),* })
        }
    });
    let opcode_arms = table.ops.iter().map(|op| {
        let v = &op.variant;
        if op.imms.is_empty() {
            quote!(Instruction::#v => Opcode::#v)
        } else {
            quote!(Instruction::#v { .. } => Opcode::#v)
        }
    });
    let constant_arms = table.ops.iter().filter_map(|op| {
        let kind = op.constant?;
        let v = &op.variant;
        if kind == Constant::Runtime {
            let pat = if op.imms.is_empty() {
                quote!(Instruction::#v)
            } else {
                quote!(Instruction::#v { .. })
            };
            return Some(quote!(#pat => Some(ConstOperand::Runtime)));
        }
        if kind == Constant::Operator {
            let sig = op
                .sig
                .as_ref()
                .expect("the table checks that an operator has a sig");
            let params = sig
                .params
                .iter()
                .map(|ty| Ident::new(ty.variant(), Span::call_site()));
            let result = Ident::new(sig.results[0].variant(), Span::call_site());
            return Some(quote!(Instruction::#v => Some(ConstOperand::Operator {
                opcode: Opcode::#v,
                params: &[#(ValType::#params),*],
                result: ValType::#result,
            })));
        }
        let [imm] = op.imms.as_slice() else {
            unreachable!("the table checks that a const row has one immediate")
        };
        let field = &imm.field;
        let value = match kind {
            Constant::Value => {
                let ty = op
                    .sig
                    .as_ref()
                    .and_then(|sig| sig.results.first())
                    .map(|ty| Ident::new(ty.variant(), Span::call_site()))
                    .expect("the table checks that a value row has one result");
                let bits = match imm.kind {
                    ImmKind::I32 => quote!(u128::from(*#field as u32)),
                    ImmKind::I64 => quote!(u128::from(*#field as u64)),
                    ImmKind::F32 | ImmKind::F64 => quote!(u128::from(#field.0)),
                    _ => quote!(#field.0),
                };
                quote!(ConstOperand::Value { ty: ValType::#ty, bits: #bits })
            }
            Constant::Null => quote!(ConstOperand::Null(*#field)),
            Constant::Func => quote!(ConstOperand::Func(*#field)),
            Constant::Global => quote!(ConstOperand::Global(*#field)),
            Constant::Operator => unreachable!("handled above"),
            Constant::Runtime => unreachable!("handled above"),
        };
        Some(quote!(Instruction::#v { #field } => Some(#value)))
    });
    quote! {
        /// A decoded instruction with its typed immediates.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Instruction {
            #( #variants, )*
        }

        impl Instruction {
            /// The instruction's opcode.
            pub const fn opcode(&self) -> Opcode {
                match self {
                    #( #opcode_arms, )*
                }
            }

            /// What the instruction contributes to a constant expression,
            /// or `None` if it is not allowed in one (see
            /// [`Opcode::is_constant`]).
            pub fn constant_operand(&self) -> Option<ConstOperand> {
                match self {
                    #( #constant_arms, )*
                    _ => None,
                }
            }
        }
    }
}

fn construct(op: &Op) -> TokenStream {
    let v = &op.variant;
    let require = if op.proposal == "mvp" {
        quote!()
    } else {
        let p = proposal_ident(&op.proposal);
        quote!(features.require(Proposal::#p, offset)?;)
    };
    let value = if op.imms.is_empty() {
        quote!(Instruction::#v)
    } else {
        let fields = op.imms.iter().map(|Imm { field, kind }| {
            let read = read_call(*kind);
            quote!(#field: #read)
        });
        quote!(Instruction::#v { #(#fields),* })
    };
    if require.is_empty() {
        value
    } else {
        quote!({ #require #value })
    }
}

/// The `match` on the opcode byte at `reader` (bound to `byte`, with
/// `offset` its position) that both the decoder and the validator's
/// `validate_next` are built on: one arm per single-byte row, one per
/// prefix reading the sub-opcode, and an illegal-opcode error (converted by
/// `?`-style `.into()` to the caller's error type) for anything else.
pub fn opcode_match(table: &Table, arm: impl Fn(&Op) -> TokenStream) -> TokenStream {
    let single = table.ops.iter().filter(|op| op.prefix.is_none()).map(|op| {
        let code = Literal::u8_suffixed(op.code as u8);
        let arm = arm(op);
        quote!(#code => #arm)
    });
    let mut prefixes: Vec<u8> = table.ops.iter().filter_map(|op| op.prefix).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let prefixed = prefixes.iter().map(|prefix| {
        let arms = table
            .ops
            .iter()
            .filter(|op| op.prefix == Some(*prefix))
            .map(|op| {
                let code = op.code;
                let arm = arm(op);
                quote!(#code => #arm)
            });
        let prefix_lit = Literal::u8_suffixed(*prefix);
        quote! {
            #prefix_lit => {
                let code = reader.read_var_u32()?;
                match code {
                    #( #arms, )*
                    _ => return Err(DecodeError::illegal_opcode(offset, Some(#prefix), code).into()),
                }
            }
        }
    });
    quote! {
        match byte {
            #( #single, )*
            #( #prefixed )*
            _ => return Err(DecodeError::illegal_opcode(offset, None, u32::from(byte)).into()),
        }
    }
}

fn generate_decoder(table: &Table) -> TokenStream {
    let dispatch = opcode_match(table, construct);
    quote! {
        impl Instruction {
            /// Decodes one instruction at the reader's position.
            pub fn decode(reader: &mut Reader<'_>, features: &Features) -> Result<Instruction, DecodeError> {
                let offset = reader.offset();
                let byte = reader.read_u8()?;
                let instruction = #dispatch;
                Ok(instruction)
            }
        }
    }
}

fn generate_printer(table: &Table) -> TokenStream {
    let arms = table.ops.iter().map(|op| {
        let pat = pattern("Instruction", op);
        let name = &op.name;
        let writes = op.imms.iter().map(|Imm { field, kind }| match kind {
            ImmKind::MemArg => {
                let align = Literal::u32_unsuffixed(op.natural_align().unwrap_or(0));
                quote!(#field.write_text(f, #align)?;)
            }
            _ => quote!(#field.write_text(f)?;),
        });
        quote! {
            #pat => {
                f.write_str(#name)?;
                #( #writes )*
            }
        }
    });
    quote! {
        impl fmt::Display for Instruction {
            /// Writes the instruction in the text format's flat syntax.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    #( #arms )*
                }
                Ok(())
            }
        }
    }
}
