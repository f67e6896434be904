//! The compiled-code `Op` enum and `execute_table_op`.
//!
//! `Op` holds the internal ops given to the macro (branches with resolved
//! targets, slot moves, ...) followed by one variant per table row that is not
//! `exec = "control"`. `execute_table_op` runs the `pure`, `load` and `store`
//! rows: pop the operands, call `semantics::<id>`, push the result.

use crate::table::{Exec, Imm, ImmKind, Op, Table, ValType};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Fields, Variant};

/// The Rust type of an immediate inside a compiled `Op`.
fn op_type(kind: ImmKind) -> TokenStream {
    match kind {
        ImmKind::Index(_) | ImmKind::MemIdx | ImmKind::MemArg => quote!(u32),
        ImmKind::I32 => quote!(i32),
        ImmKind::I64 => quote!(i64),
        ImmKind::F32 => quote!(f32),
        ImmKind::F64 => quote!(f64),
        ImmKind::RefType => quote!(RefType),
        ImmKind::Lane(_) => quote!(u8),
        ImmKind::V128 => quote!(Box<u128>),
        ImmKind::Shuffle => quote!(Box<[u8; 16]>),
        ImmKind::BlockType | ImmKind::BrTable | ImmKind::ValTypes => {
            unreachable!("table.rs keeps these kinds on control rows")
        }
    }
}

/// The `Op` field of an immediate: a memarg keeps only its offset.
fn op_field(imm: &Imm) -> Ident {
    match imm.kind {
        ImmKind::MemArg => Ident::new("offset", Span::call_site()),
        _ => imm.field.clone(),
    }
}

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn row_pattern(op: &Op) -> TokenStream {
    let v = &op.variant;
    if op.imms.is_empty() {
        quote!(Op::#v)
    } else {
        let fields = op.imms.iter().map(op_field);
        quote!(Op::#v { #(#fields),* })
    }
}

pub fn generate(table: &Table, internal: &[Variant]) -> Result<TokenStream, String> {
    for variant in internal {
        if matches!(variant.fields, Fields::Unnamed(_)) {
            return Err(format!("internal op {}: use named fields", variant.ident));
        }
        if table
            .ops
            .iter()
            .any(|op| op.exec != Exec::Control && op.variant == variant.ident)
        {
            return Err(format!(
                "internal op {} clashes with a table row",
                variant.ident
            ));
        }
    }
    let rows: Vec<&Op> = table
        .ops
        .iter()
        .filter(|op| op.exec != Exec::Control)
        .collect();
    let row_variants = rows.iter().map(|op| {
        let v = &op.variant;
        let doc = format!("`{}`", op.name);
        if op.imms.is_empty() {
            quote!(#[doc = #doc] #v)
        } else {
            let fields = op.imms.iter().map(|imm| {
                let name = op_field(imm);
                let ty = op_type(imm.kind);
                let doc = match imm.kind {
                    ImmKind::MemArg => "The memarg's static offset.".to_string(),
                    kind => format!("The `{}` immediate.", kind.name()),
                };
                quote!(#[doc = #doc] #name: #ty)
            });
            quote!(#[doc = #doc] #v { #(#fields),* })
        }
    });
    let internal_names = internal.iter().map(|v| {
        let ident = &v.ident;
        let name = snake_case(&ident.to_string());
        let pat = match v.fields {
            Fields::Unit => quote!(Op::#ident),
            _ => quote!(Op::#ident { .. }),
        };
        quote!(#pat => #name)
    });
    let row_names = rows.iter().map(|op| {
        let v = &op.variant;
        let name = &op.name;
        if op.imms.is_empty() {
            quote!(Op::#v => #name)
        } else {
            quote!(Op::#v { .. } => #name)
        }
    });
    let internal_display = internal.iter().map(|v| {
        let ident = &v.ident;
        match &v.fields {
            Fields::Named(named) => {
                let fields: Vec<&Ident> = named
                    .named
                    .iter()
                    .filter_map(|f| f.ident.as_ref())
                    .collect();
                let formats = fields.iter().map(|f| format!(" {f}={{:?}}"));
                quote!(Op::#ident { #(#fields),* } => { #( write!(f, #formats, #fields)?; )* })
            }
            _ => quote!(),
        }
    });
    let row_display = rows.iter().filter(|op| !op.imms.is_empty()).map(|op| {
        let pat = row_pattern(op);
        let writes = op.imms.iter().map(|imm| {
            let field = op_field(imm);
            match imm.kind {
                ImmKind::MemArg => quote!(write!(f, " offset={}", #field)?;),
                ImmKind::V128 => quote!(write!(f, " 0x{:032x}", **#field)?;),
                ImmKind::Shuffle => quote!(write!(f, " {:?}", #field)?;),
                _ => quote!(write!(f, " {}", #field)?;),
            }
        });
        quote!(#pat => { #(#writes)* })
    });
    let execute_arms: Vec<TokenStream> = rows
        .iter()
        .filter(|op| matches!(op.exec, Exec::Pure | Exec::Load | Exec::Store))
        .map(|op| execute_arm(op))
        .collect();
    let table_patterns: Vec<TokenStream> = rows
        .iter()
        .filter(|op| matches!(op.exec, Exec::Pure | Exec::Load | Exec::Store))
        .map(|op| {
            let v = &op.variant;
            if op.imms.is_empty() {
                quote!(Op::#v)
            } else {
                quote!(Op::#v { .. })
            }
        })
        .collect();
    Ok(quote! {
        /// One step of compiled code: an internal op or a table instruction.
        #[derive(Clone, Debug)]
        pub enum Op {
            #( #internal, )*
            #( #row_variants, )*
        }

        impl Op {
            /// The op's name: the wasm mnemonic for table rows, snake case for internal ops.
            pub const fn name(&self) -> &'static str {
                match self {
                    #( #internal_names, )*
                    #( #row_names, )*
                }
            }
        }

        impl Op {
            /// True for ops whose semantics `execute_table_op` runs.
            pub const fn runs_from_table(&self) -> bool {
                matches!(self, #( #table_patterns )|*)
            }
        }

        impl fmt::Display for Op {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())?;
                match self {
                    #( #internal_display )*
                    #( #row_display )*
                    _ => {}
                }
                Ok(())
            }
        }

        /// Runs an op whose meaning is a function in `semantics`: pops its
        /// operands, calls the function and pushes the result.
        ///
        /// # Safety
        /// `op` must be a `pure`, `load` or `store` row, and `stack` must hold the
        /// operands validation proved are there, with room for the result.
        #[inline(always)]
        pub(crate) unsafe fn execute_table_op<T: Tracer>(
            op: &Op,
            stack: &mut ValueStack,
            memory: &MemoryView,
            tracer: &mut T,
        ) -> Result<(), TrapCode> {
            match op {
                #( #execute_arms )*
                _ => unreachable!("{op} is not a table op"),
            }
            Ok(())
        }
    })
}

fn operand_names(count: usize) -> Vec<Ident> {
    (0..count)
        .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
        .collect()
}

fn pop(ty: ValType, name: &Ident) -> TokenStream {
    let method = format_ident!("pop_{}", ty.lower());
    quote!(let #name = stack.#method();)
}

fn execute_arm(op: &Op) -> TokenStream {
    let sig = op.sig.as_ref().expect("generated rows have a sig");
    let pat = row_pattern(op);
    let semantics = op.fn_ident();
    let imm_args: Vec<TokenStream> = op
        .imms
        .iter()
        .filter(|imm| imm.kind != ImmKind::MemArg)
        .map(|imm| {
            let field = &imm.field;
            match imm.kind {
                ImmKind::V128 | ImmKind::Shuffle => quote!(**#field),
                _ => quote!(*#field),
            }
        })
        .collect();
    let question = if op.traps { quote!(?) } else { quote!() };
    let (address, operand_types): (Option<Ident>, &[ValType]) = match op.exec {
        Exec::Load | Exec::Store => (Some(format_ident!("address")), &sig.params[1..]),
        _ => (None, &sig.params[..]),
    };
    let operands = operand_names(operand_types.len());
    let pops_operands: Vec<TokenStream> = operand_types
        .iter()
        .zip(&operands)
        .rev()
        .map(|(t, n)| pop(*t, n))
        .collect();
    let pop_address = address.as_ref().map(|a| pop(ValType::I32, a));
    let consumed: Vec<TokenStream> = address
        .iter()
        .chain(operands.iter())
        .map(|n| quote!(#n.into()))
        .collect();
    let call_args = quote!(#(#imm_args,)* );
    let result = format_ident!("result");
    let (body, produced) = match op.exec {
        Exec::Load => {
            let bytes = Literal::usize_unsuffixed(op.access.unwrap_or(0) as usize);
            (
                quote! {
                    let bytes = memory.load::<#bytes>(address, *offset)?;
                    let #result = semantics::#semantics(#call_args bytes, #(#operands),*)#question;
                },
                true,
            )
        }
        Exec::Store => (
            quote! {
                let bytes = semantics::#semantics(#call_args #(#operands),*)#question;
                memory.store(address, *offset, bytes)?;
            },
            false,
        ),
        _ if sig.results.is_empty() => (
            quote!(semantics::#semantics(#call_args #(#operands),*)#question;),
            false,
        ),
        _ => (
            quote!(let #result = semantics::#semantics(#call_args #(#operands),*)#question;),
            true,
        ),
    };
    let produced_list = if produced {
        quote!(&[#result.into()])
    } else {
        quote!(&[])
    };
    let push = match (produced, sig.results.first()) {
        (true, Some(t)) => {
            let method = format_ident!("push_{}", t.lower());
            quote!(stack.#method(#result);)
        }
        _ => quote!(),
    };
    quote! {
        #pat => {
            #(#pops_operands)*
            #pop_address
            #body
            if T::ENABLED {
                tracer.record(op, &[#(#consumed),*], #produced_list);
            }
            #push
        }
    }
}
