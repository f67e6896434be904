//! Values crossing the boundary between host and wasm.

use crate::types::{CompositeKind, HeapType, RefType, TypeRegistry, TypeSpace, ValType};

/// A reference to a function in a store.
///
/// Like every handle, it names the store that owns it; see
/// [the crate docs](crate#store-isolation) for what happens when it is used
/// with another store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// An external reference (`externref`): host data kept in the store that
/// made it (see [`ExternRef::new`]), or an internal object that wasm
/// converted with `extern.convert_any`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: u64,
    /// The reference word (see `exec::gc`), never 0.
    pub(crate) word: u64,
}

/// A reference to an exception (`exnref`): opaque to the host, which can
/// only hand it back to wasm in the same store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// A reference to an internal object (`anyref` and its subtypes, GC): a
/// struct, an array, an `i31`, or host data converted with
/// `any.convert_extern`.
///
/// A struct or array handed to the host stays alive as long as its store:
/// the handle is `Copy`, so the store cannot tell when the host lets go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnyRef {
    pub(crate) store: u64,
    /// The reference word (see `exec::gc`), never 0.
    pub(crate) word: u64,
}

impl AnyRef {
    /// The value, if this is an `i31` (its 31 bits, zero-extended).
    pub fn i31(&self) -> Option<u32> {
        crate::exec::gc::is_i31(self.word).then(|| crate::exec::gc::i31_value(self.word))
    }

    /// Whether this is a struct or an array.
    pub fn is_object(&self) -> bool {
        crate::exec::gc::object_index(self.word).is_some()
    }

    /// The host data index of an internalized [`ExternRef`], if it is one.
    pub(crate) fn host_index(&self) -> Option<u32> {
        crate::exec::gc::host_index(self.word)
    }
}

/// An exception that no wasm frame caught: the error a call returns with
/// [`TrapCode::UncaughtException`](crate::TrapCode::UncaughtException),
/// carried by the trap (see [`Trap::exception`](crate::Trap::exception)).
#[derive(Clone, Debug, PartialEq)]
pub struct ThrownException {
    /// The exception's tag: compare it with a [`Tag`](crate::Tag) handle
    /// (an export or an import) to tell which exception it is.
    pub tag: super::Tag,
    /// The payload values, in the tag's parameter order.
    pub payload: alloc::vec::Vec<Val>,
    /// The exception itself: a host function that returns this trap to its
    /// wasm caller rethrows it there.
    pub exn: ExnRef,
}

impl core::fmt::Display for ThrownException {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("uncaught exception")
    }
}

impl core::error::Error for ThrownException {}

/// A WebAssembly value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as bits so NaN payloads survive.
    F32(u32),
    /// An `f64`, as bits.
    F64(u64),
    /// A `v128`, lane 0 in the low bits.
    V128(u128),
    /// A `funcref`.
    FuncRef(Option<Func>),
    /// An `externref`.
    ExternRef(Option<ExternRef>),
    /// An `exnref`.
    ExnRef(Option<ExnRef>),
    /// An `anyref` (or `eqref`, `structref`, ...: the internal objects).
    AnyRef(Option<AnyRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::ExnRef(_) => ValType::EXNREF,
            Val::AnyRef(_) => ValType::Ref(RefType::new(true, HeapType::Any)),
        }
    }

    /// The zero value (or null reference) of `ty`.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            // A non-nullable type has no default; null stands in for it. A
            // concrete type's null is a function's: without the store's
            // types a struct or array type cannot be told apart, and every
            // null has the same bits.
            ValType::Ref(r) => Val::null_of(r.heap.top(|_| CompositeKind::Func)),
        }
    }

    /// The null reference of the hierarchy whose top is `top`.
    pub(crate) fn null_of(top: HeapType) -> Val {
        match top {
            HeapType::Extern => Val::ExternRef(None),
            HeapType::Exn => Val::ExnRef(None),
            HeapType::Any => Val::AnyRef(None),
            _ => Val::FuncRef(None),
        }
    }

    /// The zero value (or null reference) of `ty`, one of `store`'s types
    /// (as a function's type gives them): unlike [`Val::default_for`], it
    /// knows a concrete struct or array type's null is an `anyref`.
    pub fn default_in<T>(store: &impl super::AsContext<Data = T>, ty: ValType) -> Val {
        Val::default_with(ty, &store.as_context().inner.types)
    }

    /// The zero value (or null reference) of `ty` in a store with `types`.
    pub(crate) fn default_with(ty: ValType, types: &TypeRegistry) -> Val {
        match ty {
            ValType::Ref(r) => Val::null_of(r.heap.top(|i| types.kind(i))),
            other => Val::default_for(other),
        }
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }

    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }

    /// The `v128`, if this is one.
    pub fn v128(&self) -> Option<u128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }

    /// The `funcref`, if this is one.
    pub fn funcref(&self) -> Option<Option<Func>> {
        match self {
            Val::FuncRef(v) => Some(*v),
            _ => None,
        }
    }

    /// The `externref`, if this is one.
    pub fn externref(&self) -> Option<Option<ExternRef>> {
        match self {
            Val::ExternRef(v) => Some(*v),
            _ => None,
        }
    }

    /// The value's low stack slot bits (all of them but a `v128`'s high half).
    pub(crate) fn to_bits(self) -> u128 {
        match self {
            Val::I32(v) => u128::from(v as u32),
            Val::I64(v) => u128::from(v as u64),
            Val::F32(v) => u128::from(v),
            Val::F64(v) => u128::from(v),
            Val::V128(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| u128::from(f.index) + 1),
            Val::ExternRef(e) => e.map_or(0, |e| u128::from(e.word)),
            Val::ExnRef(e) => e.map_or(0, |e| u128::from(e.index) + 1),
            Val::AnyRef(e) => e.map_or(0, |e| u128::from(e.word)),
        }
    }

    /// Whether the value may be used with store `store`: a reference must
    /// belong to it; numbers belong everywhere.
    pub(crate) fn check_store(&self, store: u64) -> Result<(), super::Error> {
        let owner = match self {
            Val::FuncRef(Some(f)) => f.store,
            Val::ExternRef(Some(e)) => e.store,
            Val::ExnRef(Some(e)) => e.store,
            Val::AnyRef(Some(e)) => e.store,
            _ => return Ok(()),
        };
        if owner == store {
            Ok(())
        } else {
            Err(super::Error::StoreMismatch)
        }
    }

    /// Whether the value is one of type `ty` in the store `inner` (which
    /// owns it): a reference matches any type of its kind that admits it, a
    /// function one only types its function has, an internal object only
    /// the types its runtime type matches.
    pub(crate) fn fits(&self, ty: ValType, inner: &crate::exec::store::StoreInner) -> bool {
        let ValType::Ref(r) = ty else {
            return self.ty() == ty;
        };
        let types = &inner.types;
        let top = r.heap.top(|i| types.kind(i));
        let word = match self {
            Val::FuncRef(None) => return r.nullable && top == HeapType::Func,
            Val::ExternRef(None) => return r.nullable && top == HeapType::Extern,
            Val::ExnRef(None) => return r.nullable && top == HeapType::Exn,
            Val::AnyRef(None) => return r.nullable && top == HeapType::Any,
            Val::FuncRef(Some(f)) => u64::from(f.index) + 1,
            Val::ExternRef(Some(e)) if top == HeapType::Extern => e.word,
            Val::ExnRef(Some(e)) if top == HeapType::Exn => u64::from(e.index) + 1,
            Val::AnyRef(Some(e)) if top == HeapType::Any => e.word,
            _ => return false,
        };
        match self {
            Val::FuncRef(_) => match r.heap {
                HeapType::Func => true,
                HeapType::Concrete(id) => {
                    let actual = inner.funcs[(word - 1) as usize].type_id();
                    types.is_subtype(actual, id)
                }
                _ => false,
            },
            Val::ExternRef(_) => r.heap == HeapType::Extern,
            Val::ExnRef(_) => r.heap == HeapType::Exn,
            _ => crate::exec::gc::any_word_matches(inner, word, r.heap),
        }
    }

    /// The value of type `ty` stored as `bits` in the store `inner`. A
    /// struct or array it refers to is pinned: the host now holds it.
    pub(crate) fn from_bits(
        ty: ValType,
        bits: u128,
        inner: &mut crate::exec::store::StoreInner,
    ) -> Val {
        let store = inner.id;
        match ty {
            ValType::I32 => Val::I32(bits as u32 as i32),
            ValType::I64 => Val::I64(bits as u64 as i64),
            ValType::F32 => Val::F32(bits as u32),
            ValType::F64 => Val::F64(bits as u64),
            ValType::V128 => Val::V128(bits),
            ValType::Ref(r) => {
                let word = bits as u64;
                let top = r.heap.top(|i| inner.types.kind(i));
                if matches!(top, HeapType::Any | HeapType::Extern) {
                    inner.gc.pin(word);
                }
                match top {
                    HeapType::Extern => {
                        Val::ExternRef((word != 0).then_some(ExternRef { store, word }))
                    }
                    HeapType::Any => Val::AnyRef((word != 0).then_some(AnyRef { store, word })),
                    HeapType::Exn => Val::ExnRef((word != 0).then(|| ExnRef {
                        store,
                        index: (word - 1) as u32,
                    })),
                    _ => Val::FuncRef((word != 0).then(|| Func {
                        store,
                        index: (word - 1) as u32,
                    })),
                }
            }
        }
    }

    /// Writes the value's slots at `at` (a `v128` low half first) and
    /// returns the slot after them.
    ///
    /// # Safety
    /// `at` must point to `self.ty().slots()` writable slots.
    pub(crate) unsafe fn write_to(self, at: *mut u64) -> *mut u64 {
        let bits = self.to_bits();
        // SAFETY: the caller's contract.
        unsafe {
            at.write(bits as u64);
            if self.ty() == ValType::V128 {
                at.add(1).write((bits >> 64) as u64);
            }
            at.add(self.ty().slots() as usize)
        }
    }

    /// Reads a value of type `ty`, in store `store`, from slots at `at`.
    ///
    /// # Safety
    /// `at` must point to `ty.slots()` readable slots.
    pub(crate) unsafe fn read_from(
        ty: ValType,
        at: *const u64,
        inner: &mut crate::exec::store::StoreInner,
    ) -> Val {
        // SAFETY: the caller's contract.
        let bits = unsafe {
            if ty == ValType::V128 {
                u128::from(at.read()) | (u128::from(at.add(1).read()) << 64)
            } else {
                u128::from(at.read())
            }
        };
        Val::from_bits(ty, bits, inner)
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl core::fmt::Display for Val {
    /// Writes the value as `tabula run --invoke` prints it.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{}", f32::from_bits(*v)),
            Val::F64(v) => write!(f, "{}", f64::from_bits(*v)),
            Val::V128(v) => write!(f, "{v:#034x}"),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => {
                f.write_str("null")
            }
            Val::AnyRef(Some(e)) => match (e.i31(), e.host_index()) {
                (Some(value), _) => write!(f, "i31:{value}"),
                (_, Some(index)) => write!(f, "any:extern:{index}"),
                _ => write!(f, "any:object"),
            },
            Val::ExnRef(Some(e)) => write!(f, "exn:{}", e.index),
            Val::FuncRef(Some(func)) => write!(f, "func:{}", func.index),
            Val::ExternRef(Some(e)) => match e.host_index() {
                Some(index) => write!(f, "extern:{index}"),
                None => write!(f, "extern:any"),
            },
        }
    }
}

impl ExternRef {
    /// Stores `value` in `store` and returns a reference to it, which wasm
    /// can hold as an `externref`. The value lives as long as the store (an
    /// `ExternRef` is `Copy`, so the store cannot tell when the last one is
    /// gone); read it back with [`ExternRef::data`].
    ///
    /// ```
    /// use tabula::{Engine, ExternRef, Linker, Module, Store};
    ///
    /// struct Session { user: &'static str }
    ///
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (func (export "id") (param externref) (result externref) (local.get 0)))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let id = instance.get_typed_func::<Option<ExternRef>, Option<ExternRef>>(&store, "id")?;
    /// let session = ExternRef::new(&mut store, Session { user: "ada" })?;
    /// let back = id.call(&mut store, Some(session))?.unwrap();
    /// let data = back.data(&store)?.downcast_ref::<Session>().unwrap();
    /// assert_eq!(data.user, "ada");
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn new<T>(
        mut store: impl super::AsContextMut<Data = T>,
        value: impl core::any::Any + Send + Sync,
    ) -> Result<ExternRef, super::Error> {
        let store = store.as_context_mut();
        // A slot holds the index plus one above two tag bits.
        let index = u32::try_from(store.externs.len())
            .ok()
            .filter(|&index| index < u32::MAX)
            .ok_or_else(|| super::Error::Usage("too many externrefs in the store".into()))?;
        store.externs.push(alloc::boxed::Box::new(value));
        Ok(ExternRef {
            store: store.inner.id,
            word: crate::exec::gc::host_word(index),
        })
    }

    /// The host data index, if this reference is host data (not an
    /// internal object converted with `extern.convert_any`).
    pub(crate) fn host_index(&self) -> Option<u32> {
        crate::exec::gc::host_index(self.word)
    }

    /// The host data this reference was made with; downcast it with
    /// `downcast_ref`. An [`Error::StoreMismatch`](super::Error::StoreMismatch)
    /// if `store` did not make it.
    pub fn data<'a, T: 'a>(
        &self,
        store: &'a impl super::AsContext<Data = T>,
    ) -> Result<&'a (dyn core::any::Any + Send + Sync), super::Error> {
        let store = store.as_context();
        store.check_owns(self.store)?;
        let Some(index) = self.host_index() else {
            return Err(super::Error::Usage(
                "this externref is an internal object, not host data".into(),
            ));
        };
        // Every reference a store hands out names one of its values.
        store
            .externs
            .get(index as usize)
            .map(|value| &**value)
            .ok_or(super::Error::StoreMismatch)
    }
}
