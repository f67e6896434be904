//! The threaded-code handlers of every generated row, and the tables the
//! translator selects them from.
//!
//! For each `pure`, `load` and `store` row and each operand form its `forms`
//! allow (see [`Forms::expand`]), one handler: read the operands (frame slot,
//! accumulator or immediate lane), call `semantics::<id>`, write the result
//! (slot or accumulator) and jump to the next handler. Compare rows with
//! `fuse = ["br_if"]` also get two branch handlers per form (branch when the
//! comparison holds, and when it does not). Every handler is written as a
//! `handler!` invocation, so the runtime's `handler!`, `next!` and `trap!`
//! decide how handlers are called (tail calls or a loop).
//!
//! Code layout of one instruction (the translator's `Encoder` writes it):
//! a word holding the handler, then 32-bit lanes, padded to whole words:
//! the result slot (if the result goes to a slot; a row with several results
//! writes them to consecutive slots from this one), each operand's slot or
//! immediate bits (accumulator operands take no lane), the row's immediates
//! in table order, and for branches the target as a signed word offset from
//! the instruction's first word.

use crate::table::{Constant, Exec, Form, ImmKind, Kind, Op, Table, ValType};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// Lanes an immediate takes in the code.
pub fn imm_lanes(kind: ImmKind) -> usize {
    match kind {
        ImmKind::I64 | ImmKind::F64 => 2,
        ImmKind::V128 | ImmKind::Shuffle => 4,
        _ => 1,
    }
}

/// The Rust type of a value type inside a handler.
fn rust_type(ty: ValType) -> TokenStream {
    match ty {
        ValType::I32 => quote!(i32),
        ValType::I64 => quote!(i64),
        ValType::F32 => quote!(f32),
        ValType::F64 => quote!(f64),
        ValType::V128 => quote!(u128),
        ValType::FuncRef
        | ValType::ExternRef
        | ValType::ExnRef
        | ValType::I31Ref
        | ValType::EqRef
        | ValType::RefI31 => quote!(u64),
    }
}

/// Reads one immediate at `lane` as the semantics function takes it.
fn read_imm(kind: ImmKind, lane: usize) -> TokenStream {
    let lane = Literal::usize_unsuffixed(lane);
    match kind {
        ImmKind::I32 => quote!(lane(ip, #lane) as i32),
        ImmKind::I64 => quote!(lane64(ip, #lane) as i64),
        ImmKind::F32 => quote!(f32::from_bits(lane(ip, #lane))),
        ImmKind::F64 => quote!(f64::from_bits(lane64(ip, #lane))),
        ImmKind::V128 => quote!(lane128(ip, #lane)),
        ImmKind::Shuffle => quote!(lane128(ip, #lane).to_le_bytes()),
        ImmKind::Lane(_) => quote!(lane(ip, #lane) as u8),
        _ => quote!(lane(ip, #lane)),
    }
}

/// `call`, unwrapped when the row traps: its semantics function returns a
/// `Result` whose error is the trap to raise.
fn checked(op: &Op, call: TokenStream) -> TokenStream {
    if op.traps {
        quote! {
            match #call {
                Ok(value) => value,
                Err(code) => trap!(cx, ip, code),
            }
        }
    } else {
        call
    }
}

/// What a handler does after computing its value.
#[derive(Clone, Copy)]
enum Ending {
    /// Write the result as the form says and go on.
    Next,
    /// Branch when the computed i32 is non-zero (`true`) or zero (`false`).
    Branch(bool),
}

/// `i32_add_si_a`, `br_if_i32_lt_s_si`, `br_unless_i32_lt_s_si`.
fn handler_name(op: &Op, form: &Form, ending: Ending) -> Ident {
    let key = form.key();
    match ending {
        Ending::Next => format_ident!("{}_{}", op.id, key),
        Ending::Branch(true) => format_ident!("br_if_{}_{}", op.id, key),
        Ending::Branch(false) => format_ident!("br_unless_{}_{}", op.id, key),
    }
}

fn describe(form: &Form) -> String {
    let kind = |k: Kind| match k {
        Kind::Slot => "slot",
        Kind::Acc => "accumulator",
        Kind::Imm => "immediate",
        Kind::SlotPlusImm => "slot plus immediate",
        Kind::AccPlusImm => "accumulator plus immediate",
    };
    let operands: Vec<&str> = form.operands.iter().map(|k| kind(*k)).collect();
    let mut text = if operands.is_empty() {
        "no operands".to_string()
    } else {
        operands.join(", ")
    };
    if let Some(result) = form.result {
        text.push_str(" -> ");
        text.push_str(kind(result));
    }
    text
}

fn handler(op: &Op, form: &Form, ending: Ending) -> TokenStream {
    let sig = op.sig.as_ref().expect("generated rows have a sig");
    let name = handler_name(op, form, ending);
    let semantics = op.fn_ident();
    let mut lane = 0usize;
    let mut body = Vec::new();
    // The result slot comes first.
    let dst_lane = match (ending, form.result) {
        (Ending::Next, Some(Kind::Slot)) => {
            lane += 1;
            Some(0usize)
        }
        _ => None,
    };
    // Operands, bottom to top.
    let names: Vec<Ident> = (0..sig.params.len())
        .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
        .collect();
    for ((ty, kind), name) in sig.params.iter().zip(&form.operands).zip(&names) {
        let rust = rust_type(*ty);
        let read = match (kind, ty) {
            (Kind::Slot, ValType::V128) => {
                let l = Literal::usize_unsuffixed(lane);
                lane += 1;
                quote!(get_v128(fp, lane(ip, #l)))
            }
            (Kind::Slot, _) => {
                let l = Literal::usize_unsuffixed(lane);
                lane += 1;
                quote!(get::<#rust>(fp, lane(ip, #l)))
            }
            (Kind::Imm, _) => {
                let l = Literal::usize_unsuffixed(lane);
                lane += 1;
                quote!(<#rust as Cell>::from_imm(lane(ip, #l)))
            }
            (Kind::Acc, _) => quote!(<#rust as Cell>::from_cell(acc)),
            (Kind::SlotPlusImm, _) => {
                let (s, i) = (
                    Literal::usize_unsuffixed(lane),
                    Literal::usize_unsuffixed(lane + 1),
                );
                lane += 2;
                quote!(get::<i32>(fp, lane(ip, #s)).wrapping_add(lane(ip, #i) as i32))
            }
            (Kind::AccPlusImm, _) => {
                let l = Literal::usize_unsuffixed(lane);
                lane += 1;
                quote!(<i32 as Cell>::from_cell(acc).wrapping_add(lane(ip, #l) as i32))
            }
        };
        body.push(quote!(let #name: #rust = #read;));
    }
    // The row's immediates; a memarg keeps only its offset.
    let mut imm_args = Vec::new();
    let mut offset = None;
    for imm in &op.imms {
        let read = read_imm(imm.kind, lane);
        lane += imm_lanes(imm.kind);
        match imm.kind {
            ImmKind::MemArg => offset = Some(read),
            ImmKind::MemIdx => {}
            _ => imm_args.push(read),
        }
    }
    let branch_lane = matches!(ending, Ending::Branch(_)).then(|| {
        let l = lane;
        lane += 1;
        l
    });
    let words = Literal::usize_unsuffixed(1 + lane.div_ceil(2));
    let check = |call: TokenStream| checked(op, call);
    let result = format_ident!("result");
    let produces = match op.exec {
        Exec::Load => {
            let bytes = Literal::usize_unsuffixed(op.access.unwrap_or(0) as usize);
            let offset = offset.expect("loads have a memarg");
            let rest = &names[1..];
            let call = check(quote!(semantics::#semantics(#(#imm_args,)* bytes, #(#rest),*)));
            body.push(quote! {
                let bytes = match load::<#bytes>(mem, mem_len, a, #offset) {
                    Some(bytes) => bytes,
                    None => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
                };
                let #result = #call;
            });
            true
        }
        Exec::Store => {
            let offset = offset.expect("stores have a memarg");
            let rest = &names[1..];
            let call = check(quote!(semantics::#semantics(#(#imm_args,)* #(#rest),*)));
            body.push(quote! {
                let bytes = #call;
                if !store(mem, mem_len, a, #offset, bytes) {
                    trap!(cx, ip, TrapCode::MemoryOutOfBounds);
                }
            });
            false
        }
        _ => {
            let call = check(quote!(semantics::#semantics(#(#imm_args,)* #(#names),*)));
            if sig.results.is_empty() {
                body.push(quote!(#call;));
                false
            } else {
                body.push(quote!(let #result = #call;));
                true
            }
        }
    };
    let next = quote!(next!(ip.add(#words), fp, mem, mem_len, cx, acc));
    match ending {
        Ending::Next if sig.results.len() > 1 => {
            // A tuple, one field per result, into consecutive slots.
            let dst = Literal::usize_unsuffixed(dst_lane.expect("slot result"));
            body.push(quote!(let dst = lane(ip, #dst);));
            let mut offset = 0u32;
            for (i, ty) in sig.results.iter().enumerate() {
                let field = Literal::usize_unsuffixed(i);
                let slot = match offset {
                    0 => quote!(dst),
                    _ => {
                        let at = Literal::u32_unsuffixed(offset);
                        quote!(dst + #at)
                    }
                };
                body.push(match ty {
                    ValType::V128 => quote!(set_v128(fp, #slot, #result.#field);),
                    _ => quote!(set(fp, #slot, #result.#field);),
                });
                offset += ty.slots();
            }
            body.push(next);
        }
        Ending::Next if produces => {
            let ty = sig.results[0];
            match (form.result, ty) {
                (Some(Kind::Slot), ValType::V128) => {
                    let l = Literal::usize_unsuffixed(dst_lane.expect("slot result"));
                    body.push(quote!(set_v128(fp, lane(ip, #l), #result);));
                }
                (Some(Kind::Slot), _) => {
                    let l = Literal::usize_unsuffixed(dst_lane.expect("slot result"));
                    body.push(quote!(set(fp, lane(ip, #l), #result);));
                }
                _ => body.push(quote!(let acc = Cell::into_cell(#result);)),
            }
            body.push(next);
        }
        Ending::Next => body.push(next),
        Ending::Branch(when) => {
            let l = Literal::usize_unsuffixed(branch_lane.expect("branch lane"));
            let test = if when {
                quote!(#result != 0)
            } else {
                quote!(#result == 0)
            };
            body.push(quote! {
                if #test {
                    next!(ip.offset(lane(ip, #l) as i32 as isize), fp, mem, mem_len, cx, acc)
                }
            });
            body.push(next);
        }
    }
    let doc = match ending {
        Ending::Next => format!("`{}` ({})", op.name, describe(form)),
        Ending::Branch(when) => format!(
            "`{}` fused with a branch taken when it gives {} ({})",
            op.name,
            if when { "true" } else { "false" },
            describe(form)
        ),
    };
    quote! {
        handler! {
            #[doc = #doc]
            fn #name(ip, fp, mem, mem_len, cx, acc) {
                #(#body)*
            }
        }
    }
}

/// `i32_load_any_memory`: the handler of a load or store row for an access
/// the fast forms cannot do: a memory other than memory 0, or a 64-bit
/// address or offset. Operands are in slots.
fn general_name(op: &Op) -> Ident {
    format_ident!("{}_any_memory", op.id)
}

/// The general handler of a `load` or `store` row (see [`general_name`]).
/// Lanes: the result slot (loads), the operand slots bottom to top, then
/// the memory index, the offset (two lanes), whether the address is 64-bit,
/// and the row's other immediates.
fn general_handler(op: &Op) -> TokenStream {
    let sig = op.sig.as_ref().expect("generated rows have a sig");
    let name = general_name(op);
    let semantics = op.fn_ident();
    let load = op.exec == Exec::Load;
    let mut lane = usize::from(load);
    let mut body = Vec::new();
    let names: Vec<Ident> = (0..sig.params.len())
        .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
        .collect();
    let address = Literal::usize_unsuffixed(lane);
    lane += 1;
    for (ty, name) in sig.params.iter().zip(&names).skip(1) {
        let l = Literal::usize_unsuffixed(lane);
        lane += 1;
        let read = match ty {
            ValType::V128 => quote!(get_v128(fp, lane(ip, #l))),
            _ => {
                let rust = rust_type(*ty);
                quote!(get::<#rust>(fp, lane(ip, #l)))
            }
        };
        body.push(quote!(let #name = #read;));
    }
    let (memory, offset, wide) = (
        Literal::usize_unsuffixed(lane),
        Literal::usize_unsuffixed(lane + 1),
        Literal::usize_unsuffixed(lane + 3),
    );
    lane += 4;
    let mut imm_args = Vec::new();
    for imm in op.imms.iter().filter(|i| i.kind != ImmKind::MemArg) {
        imm_args.push(read_imm(imm.kind, lane));
        lane += imm_lanes(imm.kind);
    }
    body.push(quote! {
        let address = if lane(ip, #wide) != 0 {
            get::<i64>(fp, lane(ip, #address)) as u64
        } else {
            u64::from(get::<i32>(fp, lane(ip, #address)) as u32)
        };
        let data = &mut memory(cx, lane(ip, #memory)).data;
        let offset = lane64(ip, #offset);
    });
    let rest = &names[1..];
    let bytes = Literal::usize_unsuffixed(op.access.unwrap_or(0) as usize);
    if load {
        let call = checked(
            op,
            quote!(semantics::#semantics(#(#imm_args,)* bytes, #(#rest),*)),
        );
        let set = match sig.results[0] {
            ValType::V128 => quote!(set_v128(fp, lane(ip, 0), result);),
            _ => quote!(set(fp, lane(ip, 0), result);),
        };
        body.push(quote! {
            let Some(bytes) = load_at::<#bytes>(data, address, offset) else {
                trap!(cx, ip, TrapCode::MemoryOutOfBounds)
            };
            let result = #call;
            #set
        });
    } else {
        let call = checked(op, quote!(semantics::#semantics(#(#imm_args,)* #(#rest),*)));
        body.push(quote! {
            if !store_at(data, address, offset, #call) {
                trap!(cx, ip, TrapCode::MemoryOutOfBounds);
            }
        });
    }
    let words = Literal::usize_unsuffixed(1 + lane.div_ceil(2));
    let doc = format!("`{}` on any memory, with a 32- or 64-bit address", op.name);
    quote! {
        handler! {
            #[doc = #doc]
            fn #name(ip, fp, mem, mem_len, cx, acc) {
                #(#body)*
                next!(ip.add(#words), fp, mem, mem_len, cx, acc)
            }
        }
    }
}

fn forms_static(op: &Op) -> Ident {
    format_ident!("{}_FORMS", op.id.to_uppercase())
}

fn branch_static(op: &Op) -> Ident {
    format_ident!("{}_BRANCHES", op.id.to_uppercase())
}

pub fn generate(table: &Table) -> TokenStream {
    let mut handlers = Vec::new();
    let mut statics = Vec::new();
    let mut form_arms = Vec::new();
    let mut branch_arms = Vec::new();
    let mut runtime_arms = Vec::new();
    let mut general_arms = Vec::new();
    let address: Vec<&Ident> = table
        .ops
        .iter()
        .filter(|op| op.fuse_address)
        .map(|op| &op.variant)
        .collect();
    let commutative: Vec<&Ident> = table
        .ops
        .iter()
        .filter(|op| op.commutative)
        .map(|op| &op.variant)
        .collect();
    let operator_arms = table
        .ops
        .iter()
        .filter(|op| op.constant == Some(Constant::Operator))
        .map(|op| {
            let v = &op.variant;
            let semantics = op.fn_ident();
            let count = op.sig.as_ref().map_or(0, |s| s.params.len());
            let names: Vec<Ident> = (0..count)
                .map(|i| format_ident!("{}", (b'a' + i as u8) as char))
                .collect();
            quote! {
                (Opcode::#v, [#(#names),*]) => {
                    Some(Cell::into_cell(semantics::#semantics(#(Cell::from_cell(*#names)),*)))
                }
            }
        });
    for op in &table.ops {
        let v = &op.variant;
        match op.exec {
            Exec::Pure | Exec::Load | Exec::Store => {}
            Exec::Runtime => {
                let id = Ident::new(&op.id, Span::call_site());
                runtime_arms.push(quote!(Opcode::#v => Some(#id as Handler),));
                continue;
            }
            Exec::Const | Exec::Control => continue,
        }
        if matches!(op.exec, Exec::Load | Exec::Store) {
            handlers.push(general_handler(op));
            let name = general_name(op);
            general_arms.push(quote!(Opcode::#v => Some(#name as Handler),));
        }
        let sig = op.sig.as_ref().expect("generated rows have a sig");
        // A row with no operands, no result and no trap (`nop`) compiles to nothing.
        if sig.params.is_empty() && sig.results.is_empty() && !op.traps {
            continue;
        }
        let forms = op
            .forms
            .as_ref()
            .expect("generated rows have forms")
            .expand(op.commutative);
        let mut entries = Vec::new();
        for form in &forms {
            handlers.push(handler(op, form, Ending::Next));
            let name = handler_name(op, form, Ending::Next);
            let code = form.code();
            entries.push(quote!((#code, #name as Handler)));
        }
        let name = forms_static(op);
        let len = Literal::usize_unsuffixed(entries.len());
        let doc = format!("Handlers of `{}` by form.", op.name);
        statics.push(quote! {
            #[doc = #doc]
            static #name: [(u16, Handler); #len] = [#(#entries),*];
        });
        form_arms.push(quote!(Opcode::#v => &#name,));
        if op.fuse_branch {
            let mut entries = Vec::new();
            for form in forms.iter().filter(|f| f.result == Some(Kind::Acc)) {
                let operands_only = Form {
                    operands: form.operands.clone(),
                    result: None,
                };
                handlers.push(handler(op, &operands_only, Ending::Branch(true)));
                handlers.push(handler(op, &operands_only, Ending::Branch(false)));
                let when_true = handler_name(op, &operands_only, Ending::Branch(true));
                let when_false = handler_name(op, &operands_only, Ending::Branch(false));
                let code = operands_only.code();
                entries.push(quote!((#code, #when_true as Handler, #when_false as Handler)));
            }
            let name = branch_static(op);
            let len = Literal::usize_unsuffixed(entries.len());
            let doc = format!("Compare-and-branch handlers of `{}` by form.", op.name);
            statics.push(quote! {
                #[doc = #doc]
                static #name: [(u16, Handler, Handler); #len] = [#(#entries),*];
            });
            branch_arms.push(quote!(Opcode::#v => &#name,));
        }
    }
    quote! {
        #(#handlers)*

        #(#statics)*

        /// The handlers of a generated row, keyed by form: two bits per
        /// kind (slot 1, accumulator 2, immediate 3), operands bottom to
        /// top, then the result (0 for none). Empty for other rows.
        pub(crate) fn row_forms(opcode: Opcode) -> &'static [(u16, Handler)] {
            match opcode {
                #(#form_arms)*
                _ => &[],
            }
        }

        /// The compare-and-branch handlers of a compare row, keyed by operand
        /// form: (form, branch when true, branch when false).
        pub(crate) fn branch_forms(opcode: Opcode) -> &'static [(u16, Handler, Handler)] {
            match opcode {
                #(#branch_arms)*
                _ => &[],
            }
        }

        /// Whether the row, given an immediate, folds into the address of a
        /// load or store using its result.
        pub(crate) fn folds_into_address(opcode: Opcode) -> bool {
            matches!(opcode, #(Opcode::#address)|*)
        }

        /// Whether the row's two operands may be swapped.
        pub(crate) fn is_commutative(opcode: Opcode) -> bool {
            matches!(opcode, #(Opcode::#commutative)|*)
        }

        /// The handler of a load or store row for any memory and a 32- or
        /// 64-bit address, for the accesses its fast forms (memory 0, 32-bit)
        /// cannot do.
        pub(crate) fn general_access(opcode: Opcode) -> Option<Handler> {
            match opcode {
                #(#general_arms)*
                _ => None,
            }
        }

        /// The value of a constant operator row (`const` column) applied to
        /// `operands` (slot bits, bottom to top), or `None` if `opcode` is no
        /// such row or the operand count is wrong.
        pub(crate) fn apply_constant(opcode: Opcode, operands: &[u64]) -> Option<u64> {
            match (opcode, operands) {
                #(#operator_arms)*
                _ => None,
            }
        }

        /// The hand-written handler of an `exec = "runtime"` row. Naming one
        /// here that does not exist fails the build.
        pub(crate) fn runtime_handler(opcode: Opcode) -> Option<Handler> {
            match opcode {
                #(#runtime_arms)*
                _ => None,
            }
        }
    }
}
