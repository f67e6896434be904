//! The compiled-code `Op` enum, `table_dispatch!` and `execute_vector_op`.
//!
//! `Op` holds the internal ops given to the macro (branches with resolved
//! targets, slot moves, ...) followed by one variant per table row that is not
//! `exec = "control"`. `table_dispatch!` (scalar rows, inside the interpreter's
//! own match) and `execute_vector_op` (rows touching `v128`, out of line) run
//! the `pure`, `load` and `store`
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
    // Rows touching `v128` run out of line, so their many arms do not crowd
    // the registers of the interpreter loop that inlines the scalar ones.
    let is_vector = |op: &&&Op| {
        let sig = op.sig.as_ref().expect("generated rows have a sig");
        sig.params
            .iter()
            .chain(&sig.results)
            .any(|t| *t == ValType::V128)
    };
    let generated: Vec<&Op> = rows
        .iter()
        .copied()
        .filter(|op| matches!(op.exec, Exec::Pure | Exec::Load | Exec::Store))
        .collect();
    let execute_arms: Vec<TokenStream> = generated
        .iter()
        .filter(|op| !is_vector(op))
        .map(|op| execute_arm(op, &Names::dispatch_macro()))
        .collect();
    let vector_arms: Vec<TokenStream> = generated
        .iter()
        .filter(|op| is_vector(op))
        .map(|op| execute_arm(op, &Names::function()))
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
            /// True for ops run by `table_dispatch!` or `execute_vector_op`, which trace them.
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

        /// A `match` on `$op` with one arm per scalar `pure`, `load` and
        /// `store` row (pop the operands, call `semantics::<id>`, push the
        /// result), then the caller's arms: one match, so one dispatch. Rows
        /// that touch `v128` are left to the caller's arms (they run in
        /// `execute_vector_op`). A trap goes through the caller's
        /// `$check!(Result<_, TrapCode>)`.
        ///
        /// Safety (the arms are unsafe code): `$stack` must hold the operands
        /// validation proved are there, with room for the result.
        macro_rules! table_dispatch {
            (
                match $op:ident {
                    stack: $stack:ident,
                    memory: $memory:ident,
                    tracer: $tracer:ident,
                    tracing: $tracing:expr,
                    check: $check:ident,
                    $($arms:tt)*
                }
            ) => {
                match $op {
                    #( #execute_arms )*
                    $($arms)*
                }
            };
        }
        pub(crate) use table_dispatch;

        /// The rows that touch `v128`, kept out of line.
        /// Takes and returns the stack pointer by value so the caller's stays
        /// in a register.
        ///
        /// # Safety
        /// `op` must be a `v128` row, and the stack must hold the operands
        /// validation proved are there, with room for the result.
        #[inline(never)]
        pub(crate) unsafe fn execute_vector_op<T: Tracer>(
            op: &Op,
            sp: *mut u64,
            memory: MemoryView,
            tracer: &mut T,
        ) -> Result<*mut u64, TrapCode> {
            let mut stack = ValueStack { sp };
            let stack = &mut stack;
            match op {
                #( #vector_arms )*
                _ => unreachable!("{op} is not a table op"),
            }
            Ok(stack.sp)
        }
    })
}

fn operand_names(count: usize) -> Vec<Ident> {
    (0..count)
        .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
        .collect()
}

/// How a generated arm names what it works on: plain identifiers inside a
/// function, `$`-parameters inside the `table_dispatch!` macro.
struct Names {
    op: TokenStream,
    stack: TokenStream,
    memory: TokenStream,
    tracer: TokenStream,
    /// Whether tracing is on (a constant).
    tracing: TokenStream,
    /// Wraps a `Result<_, TrapCode>` expression into its value or a trap.
    check: fn(TokenStream) -> TokenStream,
}

impl Names {
    /// Inside `fn(op, stack, memory, tracer) -> Result<_, TrapCode>`.
    fn function() -> Names {
        Names {
            op: quote!(op),
            stack: quote!(stack),
            memory: quote!(memory),
            tracer: quote!(tracer),
            tracing: quote!(T::ENABLED),
            check: |e| quote!(#e?),
        }
    }

    /// Inside `table_dispatch!`, whose caller passes these names.
    fn dispatch_macro() -> Names {
        Names {
            op: quote!($op),
            stack: quote!($stack),
            memory: quote!($memory),
            tracer: quote!($tracer),
            tracing: quote!($tracing),
            check: |e| quote!($check!(#e)),
        }
    }
}

fn pop(names: &Names, ty: ValType, name: &Ident) -> TokenStream {
    let method = format_ident!("pop_{}", ty.lower());
    let stack = &names.stack;
    quote!(let #name = #stack.#method();)
}

fn execute_arm(op: &Op, names: &Names) -> TokenStream {
    let Names {
        op: op_name,
        stack,
        memory,
        tracer,
        tracing,
        check,
    } = names;
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
    let semantics_call = |args: TokenStream| {
        let call = quote!(semantics::#semantics(#args));
        if op.traps {
            check(call)
        } else {
            call
        }
    };
    let (address, operand_types): (Option<Ident>, &[ValType]) = match op.exec {
        Exec::Load | Exec::Store => (Some(format_ident!("address")), &sig.params[1..]),
        _ => (None, &sig.params[..]),
    };
    let operands = operand_names(operand_types.len());
    let pops_operands: Vec<TokenStream> = operand_types
        .iter()
        .zip(&operands)
        .rev()
        .map(|(t, n)| pop(names, *t, n))
        .collect();
    let pop_address = address.as_ref().map(|a| pop(names, ValType::I32, a));
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
            let load = check(quote!(#memory.load::<#bytes>(address, *offset)));
            let call = semantics_call(quote!(#call_args bytes, #(#operands),*));
            (
                quote! {
                    let bytes = #load;
                    let #result = #call;
                },
                true,
            )
        }
        Exec::Store => {
            let call = semantics_call(quote!(#call_args #(#operands),*));
            let store = check(quote!(#memory.store(address, *offset, bytes)));
            (
                quote! {
                    let bytes = #call;
                    #store;
                },
                false,
            )
        }
        _ if sig.results.is_empty() => {
            let call = semantics_call(quote!(#call_args #(#operands),*));
            (quote!(#call;), false)
        }
        _ => {
            let call = semantics_call(quote!(#call_args #(#operands),*));
            (quote!(let #result = #call;), true)
        }
    };
    let produced_list = if produced {
        quote!(&[#result.into()])
    } else {
        quote!(&[])
    };
    let push = match (produced, sig.results.first()) {
        (true, Some(t)) => {
            let method = format_ident!("push_{}", t.lower());
            quote!(#stack.#method(#result);)
        }
        _ => quote!(),
    };
    quote! {
        #pat => {
            #(#pops_operands)*
            #pop_address
            #body
            if #tracing {
                #tracer.record(#op_name, &[#(#consumed),*], #produced_list);
            }
            #push
        }
    }
}
