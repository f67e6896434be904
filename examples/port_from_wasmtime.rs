//! A host program written against wasmtime's API, ported by changing only
//! the crate name: replace `tabula` with `wasmtime` below and it builds
//! against wasmtime as well.
//!
//! `cargo run -p tabula --example port_from_wasmtime`

use tabula::{
    Caller, Engine, Error, Extern, Func, Global, GlobalType, Instance, Linker, Memory, MemoryType,
    Module, Mutability, Result, Store, StoreLimits, StoreLimitsBuilder, Val, ValType,
};

/// The host's state, kept in the store.
struct Host {
    log: Vec<String>,
    limits: StoreLimits,
}

/// An error a host function raises, downcast again after the trap.
#[derive(Debug)]
struct Forbidden(i32);

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "value {} is forbidden", self.0)
    }
}

impl std::error::Error for Forbidden {}

const GUEST: &str = r#"(module
  (import "host" "log" (func $log (param i32 i32)))
  (import "host" "check" (func $check (param i32) (result i32)))
  (import "host" "double" (func $double (param i32) (result i32)))
  (import "host" "base" (global $base i32))
  (memory (export "memory") 1 4)
  (data (i32.const 16) "hello from wasm")
  (func (export "greet") (call $log (i32.const 16) (i32.const 15)))
  (func (export "compute") (param i32) (result i32)
    (i32.add (global.get $base) (call $double (call $check (local.get 0)))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;

/// A reactor that `Linker::module` instantiates and initialises once.
const LIBRARY: &str = r#"(module
  (global $calls (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $calls (i32.const 1000)))
  (func (export "tick") (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (global.get $calls)))"#;

const CLIENT: &str = r#"(module
  (import "lib" "tick" (func $tick (result i32)))
  (func (export "two_ticks") (result i32) (drop (call $tick)) (call $tick)))"#;

fn main() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST)?;

    let mut store = Store::new(
        &engine,
        Host {
            log: Vec::new(),
            limits: StoreLimitsBuilder::new().memory_size(2 << 16).build(),
        },
    );
    store.limiter(|host| &mut host.limits);

    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "host",
        "log",
        |mut caller: Caller<'_, Host>, ptr: i32, len: i32| -> Result<()> {
            let memory = match caller.get_export("memory") {
                Some(Extern::Memory(memory)) => memory,
                _ => return Err(Error::msg("the guest exports no memory")),
            };
            let bytes = memory
                .data(&caller)
                .get(ptr as usize..)
                .and_then(|rest| rest.get(..len as usize))
                .ok_or_else(|| Error::msg("pointer out of bounds"))?;
            let text = String::from_utf8_lossy(bytes).into_owned();
            caller.data_mut().log.push(text);
            Ok(())
        },
    )?;
    linker.func_wrap("host", "check", |value: i32| -> Result<i32> {
        if value == 13 {
            return Err(Error::new(Forbidden(value)));
        }
        Ok(value)
    })?;
    let double = Func::wrap(&mut store, |value: i32| value * 2);
    linker.define(&store, "host", "double", double)?;
    let base = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(100),
    )?;
    linker.define(&store, "host", "base", base)?;

    let instance = linker.instantiate(&mut store, &module)?;

    // Typed calls.
    let greet = instance.get_typed_func::<(), ()>(&mut store, "greet")?;
    greet.call(&mut store, ())?;
    println!("guest logged: {:?}", store.data().log);
    assert_eq!(store.data().log, ["hello from wasm"]);

    let compute = instance.get_typed_func::<i32, i32>(&mut store, "compute")?;
    let answer = compute.call(&mut store, 21)?;
    println!("compute(21) = {answer}");
    assert_eq!(answer, 142);

    // A host error comes back whole after the trap.
    let error = compute.call(&mut store, 13).unwrap_err();
    let forbidden = error
        .downcast_ref::<Forbidden>()
        .expect("the host's own error");
    println!("compute(13) trapped: {forbidden}");
    assert_eq!(forbidden.0, 13);

    // Untyped calls.
    let grow = instance
        .get_func(&mut store, "grow")
        .expect("grow is exported");
    let mut results = [Val::I32(0)];
    grow.call(&mut store, &[Val::I32(1)], &mut results)?;
    assert_eq!(results[0].i32(), Some(1));
    // The limiter allows two pages in all: a third fails inside wasm...
    grow.call(&mut store, &[Val::I32(1)], &mut results)?;
    assert_eq!(results[0].i32(), Some(-1));
    // ...and from the host.
    let memory = instance
        .get_memory(&mut store, "memory")
        .expect("memory is exported");
    assert_eq!(memory.size(&store), 2);
    assert!(memory.grow(&mut store, 1).is_err());
    println!(
        "memory: {} pages, {} bytes, type {:?}",
        memory.size(&store),
        memory.data_size(&store),
        memory.ty(&store)
    );

    // A host-made memory, instantiated against directly.
    let scratch = Memory::new(&mut store, MemoryType::new(1, None))?;
    memory.write(&mut store, 0, b"wasm")?;
    let word = memory.data(&store)[..4].to_vec();
    scratch.write(&mut store, 0, &word)?;
    let mut copy = [0u8; 4];
    scratch.read(&store, 0, &mut copy)?;
    assert_eq!(&copy, b"wasm");
    let reader = Module::new(
        &engine,
        r#"(module (import "" "m" (memory 1))
             (func (export "first") (result i32) (i32.load8_u (i32.const 0))))"#,
    )?;
    let reader = Instance::new(&mut store, &reader, &[scratch.into()])?;
    let first = reader.get_typed_func::<(), i32>(&mut store, "first")?;
    assert_eq!(first.call(&mut store, ())?, i32::from(b'w'));

    // A reactor module linked by name.
    let library = Module::new(&engine, LIBRARY)?;
    linker.module(&mut store, "lib", &library)?;
    let client = linker.instantiate(&mut store, &Module::new(&engine, CLIENT)?)?;
    let two_ticks = client.get_typed_func::<(), i32>(&mut store, "two_ticks")?;
    assert_eq!(two_ticks.call(&mut store, ())?, 1002);

    // A module from a file.
    let path = std::env::temp_dir().join(format!("port_from_wasmtime_{}.wat", std::process::id()));
    std::fs::write(&path, CLIENT).map_err(Error::new)?;
    let from_file = Module::from_file(&engine, &path);
    std::fs::remove_file(&path).map_err(Error::new)?;
    let imports: Vec<String> = from_file?
        .imports()
        .into_iter()
        .map(|import| import.name().to_string())
        .collect();
    assert_eq!(imports, ["tick"]);

    let host = store.into_data();
    println!("done; {} log line(s)", host.log.len());
    Ok(())
}

#[test]
fn runs() {
    main().unwrap();
}
