//! Statically typed calls in both directions: [`TypedFunc`] calls wasm with
//! Rust values, and [`IntoFunc`] turns a Rust closure into a host function
//! whose wasm type comes from the closure's signature.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::marker::PhantomData;

use super::error::Error;
use super::externals::Caller;
use super::store::{AsContextMut, HostFunc};
use super::values::{ExternRef, Func, Val};
use crate::exec::trap::Trap;
use crate::types::{FuncType, ValType};

/// A Rust type that is one wasm value.
pub trait WasmTy: Sized + Send + 'static {
    /// The wasm type.
    const TYPE: ValType;
    /// Converts into a [`Val`].
    fn into_val(self) -> Val;
    /// Converts from a [`Val`] of type [`Self::TYPE`].
    fn from_val(value: Val) -> Option<Self>;
}

macro_rules! wasm_ty {
    ($($rust:ty => $ty:ident, |$v:ident| $into:expr, |$w:ident| $from:expr;)*) => {$(
        impl WasmTy for $rust {
            const TYPE: ValType = ValType::$ty;
            fn into_val(self) -> Val {
                let $v = self;
                $into
            }
            fn from_val(value: Val) -> Option<Self> {
                let $w = value;
                $from
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32, |v| Val::I32(v), |w| w.i32();
    u32 => I32, |v| Val::I32(v as i32), |w| w.i32().map(|x| x as u32);
    i64 => I64, |v| Val::I64(v), |w| w.i64();
    u64 => I64, |v| Val::I64(v as i64), |w| w.i64().map(|x| x as u64);
    f32 => F32, |v| Val::from(v), |w| w.f32();
    f64 => F64, |v| Val::from(v), |w| w.f64();
    u128 => V128, |v| Val::V128(v), |w| w.v128();
    Option<Func> => FUNCREF, |v| Val::FuncRef(v), |w| w.funcref();
    Option<ExternRef> => EXTERNREF, |v| Val::ExternRef(v), |w| w.externref();
}

/// A list of wasm values as a Rust type: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmTyList: Sized + Send + 'static {
    /// The wasm types, in order.
    const TYPES: &'static [ValType];
    /// The wasm types, in order, as a vector.
    fn types() -> Vec<ValType> {
        Self::TYPES.to_vec()
    }
    /// Converts into values.
    fn into_vals(self) -> Vec<Val>;
    /// Converts from values of [`Self::types`].
    fn from_vals(values: &[Val]) -> Option<Self>;
}

impl<A: WasmTy> WasmTyList for A {
    const TYPES: &'static [ValType] = &[A::TYPE];
    fn into_vals(self) -> Vec<Val> {
        alloc::vec![self.into_val()]
    }
    fn from_vals(values: &[Val]) -> Option<Self> {
        match values {
            [value] => A::from_val(*value),
            _ => None,
        }
    }
}

macro_rules! tuple_list {
    ($($name:ident)*) => {
        impl<$($name: WasmTy),*> WasmTyList for ($($name,)*) {
            const TYPES: &'static [ValType] = &[$($name::TYPE),*];
            #[allow(non_snake_case)]
            fn into_vals(self) -> Vec<Val> {
                let ($($name,)*) = self;
                alloc::vec![$($name.into_val()),*]
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn from_vals(values: &[Val]) -> Option<Self> {
                let mut iter = values.iter().copied();
                let list = ($($name::from_val(iter.next()?)?,)*);
                match iter.next() {
                    None => Some(list),
                    Some(_) => None,
                }
            }
        }
    };
}

tuple_list!();
tuple_list!(A1);
tuple_list!(A1 A2);
tuple_list!(A1 A2 A3);
tuple_list!(A1 A2 A3 A4);
tuple_list!(A1 A2 A3 A4 A5);
tuple_list!(A1 A2 A3 A4 A5 A6);
tuple_list!(A1 A2 A3 A4 A5 A6 A7);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);

/// What a host function may return: values, or a `Result` whose error
/// traps. The error may be any `std::error::Error + Send + Sync + 'static`;
/// it is kept whole, so [`Error::downcast_ref`] finds it after the trap. A
/// [`Trap`] is raised as it is, and an [`Error`] as the trap it describes.
pub trait WasmRet {
    /// The values.
    type Values: WasmTyList;
    /// The values, or the trap to raise.
    fn into_result(self) -> Result<Self::Values, Trap>;
}

impl<R: WasmTyList> WasmRet for R {
    type Values = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmTyList, E: core::error::Error + Send + Sync + 'static> WasmRet for Result<R, E> {
    type Values = R;
    fn into_result(self) -> Result<R, Trap> {
        self.map_err(|error| {
            // Traps and this crate's errors keep their meaning (an exit stays
            // an exit); any other error is kept whole inside the trap.
            let mut slot = Some(error);
            let any: &mut dyn Any = &mut slot;
            if let Some(trap) = any.downcast_mut::<Option<Trap>>() {
                return trap.take().expect("just filled");
            }
            if let Some(error) = any.downcast_mut::<Option<Error>>() {
                return error.take().expect("just filled").into_trap();
            }
            Trap::from_host_error(slot.expect("just filled"))
        })
    }
}

/// A Rust closure usable as a host function. `Params` is the closure's
/// argument list (starting with `Caller<'_, T>` or not); the wasm type is
/// derived from it and from the return type.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The wasm type and the type-erased function.
    #[doc(hidden)]
    fn into_func(self) -> (FuncType, HostFunc<T>);
}

macro_rules! into_func {
    ($($arg:ident)*) => {
        impl<T, F, R, $($arg),*> IntoFunc<T, ($($arg,)*), R> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: WasmRet,
            $($arg: WasmTy,)*
        {
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new(<($($arg,)*) as WasmTyList>::types(), R::Values::types());
                let func: HostFunc<T> = Arc::new(move |_caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
                    let ($($arg,)*) = <($($arg,)*) as WasmTyList>::from_vals(params)
                        .ok_or_else(|| Trap::host("host function called with wrong types"))?;
                    let values = (self)($($arg),*).into_result()?.into_vals();
                    results.copy_from_slice(&values);
                    Ok(())
                });
                (ty, func)
            }
        }

        impl<T, F, R, $($arg),*> IntoFunc<T, (Caller<'_, T>, $($arg,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($arg),*) -> R + Send + Sync + 'static,
            R: WasmRet,
            $($arg: WasmTy,)*
        {
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new(<($($arg,)*) as WasmTyList>::types(), R::Values::types());
                let func: HostFunc<T> = Arc::new(move |caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
                    let ($($arg,)*) = <($($arg,)*) as WasmTyList>::from_vals(params)
                        .ok_or_else(|| Trap::host("host function called with wrong types"))?;
                    let values = (self)(caller, $($arg),*).into_result()?.into_vals();
                    results.copy_from_slice(&values);
                    Ok(())
                });
                (ty, func)
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);

/// A function whose wasm type was checked once against `Params` and `Results`.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _types: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    /// Checks `func`'s type against `Params -> Results`.
    pub(crate) fn new(store: impl super::store::AsContext, func: Func) -> Result<Self, Error> {
        let store = store.as_context();
        store.check_owns(func.store)?;
        let ty = store.inner.func_type(func.index);
        if ty.params() != Params::TYPES || ty.results() != Results::TYPES {
            return Err(Error::Usage(alloc::format!(
                "function type {ty} does not match the requested typed signature"
            )));
        }
        Ok(TypedFunc {
            func,
            _types: PhantomData,
        })
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function.
    pub fn call(&self, store: impl AsContextMut, params: Params) -> Result<Results, Error> {
        let params = params.into_vals();
        let mut results: Vec<Val> = Results::TYPES
            .iter()
            .map(|t| Val::default_for(*t))
            .collect();
        self.func.call(store, &params, &mut results)?;
        Results::from_vals(&results).ok_or_else(|| Error::Usage("result types changed".into()))
    }
}

impl Func {
    /// The function as a [`TypedFunc`], if its type is `Params -> Results`.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl super::store::AsContext,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        TypedFunc::new(store, *self)
    }

    /// A host function from a Rust closure; its wasm type comes from the
    /// closure's signature: up to 16 parameters (after an optional
    /// [`Caller`]) and a [`WasmRet`] result.
    ///
    /// ```
    /// use tabula::{Engine, Func, Store};
    ///
    /// let mut store = Store::new(&Engine::default(), ());
    /// let sum = Func::wrap(&mut store, |a: i32, b: i64, c: i32, d: i32, e: i32, f: i32, g: i32,
    ///     h: i32, i: i32, j: i32, k: i32, l: i32, m: i32, n: i32, o: i32, p: i32| {
    ///     i64::from(a + c + d + e + f + g + h + i + j + k + l + m + n + o + p) + b
    /// });
    /// let sum = sum.typed::<(i32, i64, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32,
    ///     i32, i32, i32), i64>(&store)?;
    /// assert_eq!(sum.call(&mut store, (1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))?, 17);
    /// # Ok::<(), tabula::Error>(())
    /// ```
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let store = store.as_context_mut();
        let (ty, host) = func.into_func();
        store.add_host_func(&ty, host)
    }
}
