//! The `spectest` module every spec script may import from.
//!
//! Its exports are fixed by the spec interpreter (`interpreter/host/spectest.ml`):
//! print functions of a few signatures, four constant globals, a funcref
//! table of 10..20 elements and a memory of 1..2 pages.

use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
use crate::{Error, Global, Linker, Memory, Store, Table, Val};

/// The module name scripts import from.
pub const MODULE: &str = "spectest";

/// Creates the `spectest` instance's tables, memories and globals in `store`
/// and defines all of its exports in `linker`.
pub fn define<T>(store: &mut Store<T>, linker: &mut Linker<T>) -> Result<(), Error> {
    use ValType::{F32, F64, I32, I64};
    // The spec interpreter prints the arguments; a test run wants quiet output,
    // so these only accept them.
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new(MODULE, name, ty, |_, _, _| Ok(()))?;
    }

    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from(666.6f32)),
        ("global_f64", Val::from(666.6f64)),
    ];
    for (name, value) in globals {
        let ty = GlobalType {
            content: value.ty(),
            mutable: false,
        };
        let global = Global::new(&mut *store, ty, value)?;
        linker.define(&*store, MODULE, name, global)?;
    }

    // `table64`, the 64-bit twin, is what the memory64 scripts import.
    for (name, table_ty) in [
        ("table", TableType::new(RefType::FUNCREF, 10, Some(20))),
        ("table64", TableType::new64(RefType::FUNCREF, 10, Some(20))),
    ] {
        let table = Table::new(&mut *store, table_ty, Val::FuncRef(None))?;
        linker.define(&*store, MODULE, name, table)?;
    }

    let memory_ty = MemoryType::new(1, Some(2));
    let memory = Memory::new(&mut *store, memory_ty)?;
    linker.define(&*store, MODULE, "memory", memory)?;
    Ok(())
}
