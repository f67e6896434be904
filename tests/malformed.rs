//! Malformed and hostile input: every case is a typed error with an offset,
//! never a panic, a hang or a huge allocation.

use tabula::binary::{self, DecodeError};
use tabula::{Config, Engine, Error, Features, Module};

fn decode(bytes: &[u8]) -> Result<binary::Module, DecodeError> {
    binary::decode(bytes, &Features::default())
}

const HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

fn module(sections: &[u8]) -> Vec<u8> {
    let mut bytes = HEADER.to_vec();
    bytes.extend_from_slice(sections);
    bytes
}

#[test]
fn bad_magic() {
    let err = decode(b"\0asx\x01\0\0\0").unwrap_err();
    assert_eq!(err.message, "magic header not detected");
    assert_eq!(err.offset, 0);
}

#[test]
fn bad_version() {
    let err = decode(b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(err.message, "unknown binary version");
    assert_eq!(err.offset, 4);
}

#[test]
fn empty_and_short_input() {
    assert!(decode(b"").is_err());
    assert!(decode(b"\0as").is_err());
    assert!(decode(b"\0asm\x01").is_err());
}

#[test]
fn truncated_section() {
    // A type section claiming 10 bytes with only 2 present.
    let err = decode(&module(&[0x01, 0x0A, 0x01, 0x60])).unwrap_err();
    assert!(err.message.starts_with("unexpected end"), "{err}");
    assert_eq!(err.offset, 10);
}

#[test]
fn every_truncation_of_a_real_module_is_an_error() {
    let bytes = wat::parse_str(
        r#"(module (memory 1) (data (i32.const 0) "hi")
             (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    )
    .unwrap();
    let decoded = decode(&bytes).unwrap();
    let body = decoded.code[0].code.clone();
    for len in 0..bytes.len() {
        let result = Module::new(&Engine::default(), &bytes[..len]);
        // A cut at a section boundary can leave a valid smaller module; a cut
        // anywhere inside a section, such as in the function body, cannot.
        if len < 8 || body.contains(&len) {
            assert!(result.is_err(), "prefix of {len} bytes was accepted");
        }
    }
    assert!(Module::new(&Engine::default(), &bytes).is_ok());
}

#[test]
fn leb128_overflow() {
    // Section size as an over-long LEB128 (six bytes).
    let err = decode(&module(&[0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])).unwrap_err();
    assert_eq!(err.message, "integer representation too long");
    // A u32 whose fifth byte sets bits above 32.
    let err = decode(&module(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])).unwrap_err();
    assert_eq!(err.message, "integer too large");
}

#[test]
fn huge_vector_count_is_refused_without_allocating() {
    // A type section declaring 2^32-1 types in 6 bytes.
    let err = decode(&module(&[0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])).unwrap_err();
    assert!(err.message.starts_with("unexpected end"), "{err}");
}

#[test]
fn unknown_section_and_order() {
    let err = decode(&module(&[0x0E, 0x00])).unwrap_err();
    assert_eq!(err.message, "malformed section id");
    // A function section after the code section.
    let err = decode(&module(&[0x0A, 0x01, 0x00, 0x03, 0x01, 0x00])).unwrap_err();
    assert_eq!(err.message, "unexpected content after last section");
    assert_eq!(err.offset, 11);
}

#[test]
fn illegal_opcode_in_a_body() {
    // type () -> (); one function; body: 0xFF end.
    let bytes = module(&[
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section
        0x03, 0x02, 0x01, 0x00, // function section
        0x0A, 0x05, 0x01, 0x03, 0x00, 0xFF, 0x0B, // code section
    ]);
    match Module::new(&Engine::default(), &bytes) {
        Err(Error::Validation(e)) => {
            assert!(e.malformed);
            assert!(e.message.starts_with("illegal opcode"), "{e}");
            assert_eq!(e.offset, 23, "the 0xFF byte");
        }
        other => panic!("expected a malformed body, got {other:?}"),
    }
}

#[test]
fn too_many_locals() {
    // One function declaring 2^32-1 locals and then 1 more.
    let bytes = module(&[
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section
        0x03, 0x02, 0x01, 0x00, // function section
        0x0A, 0x0E, 0x01, 0x0C, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7F, 0x0B, 0x00,
        0x0B,
    ]);
    assert!(Module::new(&Engine::default(), &bytes).is_err());
    // Many locals within the spec's limit are still refused before any frame is sized.
    let bytes = module(&[
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section
        0x03, 0x02, 0x01, 0x00, // function section
        0x0A, 0x0A, 0x01, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x7F, 0x0B,
    ]);
    match Module::new(&Engine::default(), &bytes) {
        Err(Error::Validation(e)) => assert_eq!(e.message, "too many locals"),
        other => panic!("expected too many locals, got {other:?}"),
    }
}

#[test]
fn invalid_module_reports_offset() {
    let err = Module::new(
        &Engine::default(),
        "(module (func (result i32) (i64.const 1)))",
    )
    .unwrap_err();
    match err {
        Error::Validation(e) => {
            assert!(e.message.starts_with("type mismatch"), "{e}");
            assert!(e.offset > 8);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn disabled_proposals_are_refused() {
    let mut config = tabula::Config::new();
    config.features(Features::wasm1());
    let mvp = Engine::new(&config);
    let sign_ext = "(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))";
    let multi_value = "(module (func (result i32 i32) (i32.const 1) (i32.const 2)))";
    let bulk = "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))";
    let simd = "(module (func (result v128) (v128.const i64x2 0 0)))";
    for text in [sign_ext, multi_value, bulk, simd] {
        assert!(Module::new(&mvp, text).is_err(), "1.0 accepted {text}");
        assert!(
            Module::new(&Engine::default(), text).is_ok(),
            "the default (3.0) refused {text}"
        );
    }
    // 2.0 itself has at most one memory; 3.0, the default, has multi-memory.
    let mut config = tabula::Config::new();
    config.wasm_2_0();
    let two_memories = "(module (memory 1) (memory 1))";
    assert!(Module::new(&Engine::new(&config), two_memories).is_err());
    assert!(Module::new(&Engine::default(), two_memories).is_ok());
}

/// Relaxed SIMD and wide arithmetic are WebAssembly 3.0: refused, by
/// proposal name, in 2.0 mode.
#[test]
fn wasm3_instructions_are_refused_in_wasm2_mode() {
    let mut config = tabula::Config::new();
    config.wasm_2_0();
    let wasm2 = Engine::new(&config);
    let relaxed = "(module (func (param v128 v128) (result v128)
        (i8x16.relaxed_swizzle (local.get 0) (local.get 1))))";
    let wide = "(module (func (param i64 i64) (result i64 i64)
        (i64.mul_wide_u (local.get 0) (local.get 1))))";
    let try_table = "(module (func (block $l (try_table (catch_all $l)))))";
    // The `exnref` byte of a type section is refused as it is decoded.
    let exnref = "(module (func (param exnref)))";
    match Module::new(&wasm2, exnref) {
        Err(Error::Decode(e)) => assert!(e.message.contains("exception handling"), "{e}"),
        other => panic!("2.0 mode accepted {exnref}: {other:?}"),
    }
    assert!(Module::new(&Engine::default(), exnref).is_ok());
    for (text, name) in [
        (relaxed, "relaxed_simd"),
        (wide, "wide_arithmetic"),
        (try_table, "exceptions"),
    ] {
        // Function bodies are decoded while they are validated.
        match Module::new(&wasm2, text) {
            Err(Error::Validation(e)) => assert!(e.message.contains(name), "{text}: {e}"),
            other => panic!("2.0 mode accepted {text}: {other:?}"),
        }
        assert!(
            Module::new(&Engine::default(), text).is_ok(),
            "3.0 refused {text}"
        );
    }
}

#[test]
fn proposals_tabula_does_not_implement_are_named() {
    use tabula::binary::UnsupportedProposal as P;
    let cases = [
        // Exception handling is implemented with exnref; the legacy
        // `try`/`catch` instructions stay refused.
        (r#"(module (func try catch_all end))"#, P::ExceptionHandling),
        (r#"(module (memory 1 1 shared))"#, P::Threads),
        (r#"(module (func (atomic.fence)))"#, P::Threads),
    ];
    for (text, proposal) in cases {
        let bytes = wat::parse_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        match Module::new(&Engine::default(), &bytes) {
            Err(Error::Decode(e)) => {
                assert_eq!(e.unsupported, Some(proposal), "{text}: {e}");
                assert!(e.message.contains(proposal.name()), "{e}");
                assert!(e.offset > 8 && e.offset < bytes.len(), "{text}: {e}");
            }
            other => panic!("{text}: expected {proposal:?}, got {other:?}"),
        }
    }
    assert_eq!(
        P::Gc.to_string(),
        "garbage collection (GC) (WebAssembly 3.0) is not supported"
    );
    // GC is implemented, and refused by name in strict 2.0 mode: struct and
    // array types as the type section is decoded, its instructions as the
    // body is.
    let mut config = Config::new();
    config.wasm_2_0();
    let wasm2 = Engine::new(&config);
    let array = wat::parse_str("(module (type (array (mut i32))))").unwrap();
    assert!(Module::new(&Engine::default(), &array).is_ok());
    match Module::new(&wasm2, &array) {
        Err(Error::Decode(e)) => assert_eq!(e.unsupported, Some(P::Gc), "{e}"),
        other => panic!("2.0 mode accepted an array type: {other:?}"),
    }
    let eq = wat::parse_str(
        "(module (func (result i32) (ref.eq (ref.i31 (i32.const 1)) (ref.i31 (i32.const 1)))))",
    )
    .unwrap();
    assert!(Module::new(&Engine::default(), &eq).is_ok());
    match Module::new(&wasm2, &eq) {
        Err(Error::Validation(e)) => assert!(e.message.contains("gc"), "{e}"),
        other => panic!("2.0 mode accepted ref.eq: {other:?}"),
    }
    // Typed function references are implemented, and refused by name in
    // strict 2.0 mode.
    let typed = wat::parse_str(
        r#"(module (type $t (func)) (func (param (ref null $t)) (call_ref $t (local.get 0))))"#,
    )
    .expect("assembles");
    assert!(Module::new(&Engine::default(), &typed).is_ok());
    let mut config = tabula::Config::new();
    config.wasm_2_0();
    match Module::new(&Engine::new(&config), &typed) {
        Err(Error::Decode(e)) => assert_eq!(e.unsupported, Some(P::FunctionReferences), "{e}"),
        other => panic!("2.0 mode accepted typed references: {other:?}"),
    }
    assert_eq!(P::Threads.standard(), None);
    // 64-bit tables and memories are implemented, but not in 2.0 mode.
    let mut config = Config::new();
    config.wasm_2_0();
    let bytes = wat::parse_str("(module (table i64 1 funcref))").unwrap();
    match Module::new(&Engine::new(&config), &bytes) {
        Err(Error::Decode(e)) => assert_eq!(e.unsupported, Some(P::Memory64), "{e}"),
        other => panic!("2.0 mode accepted a 64-bit table: {other:?}"),
    }
    // Bytes no proposal defines are still malformed: limits flag bit 4, and
    // bit 3 (a custom page size) on a table or without custom-page-sizes.
    let err = decode(&module(&[0x05, 0x03, 0x01, 0x10, 0x00])).unwrap_err();
    assert_eq!(err.unsupported, None);
    assert!(err.message.contains("malformed limits flags"), "{err}");
    let err = decode(&module(&[0x04, 0x04, 0x01, 0x70, 0x08, 0x00])).unwrap_err();
    assert!(err.message.contains("malformed limits flags"), "{err}");
    let one_byte_pages = module(&[0x05, 0x04, 0x01, 0x08, 0x00, 0x00]);
    let memory = &decode(&one_byte_pages).unwrap().memories[0];
    assert_eq!((memory.page_size_log2, memory.page_size()), (0, 1));
    let err = binary::decode(&one_byte_pages, &Features::wasm2()).unwrap_err();
    assert!(err.message.contains("malformed limits flags"), "{err}");
    // An exponent past 64 is malformed; 17 to 64 only invalid.
    let err = decode(&module(&[0x05, 0x04, 0x01, 0x08, 0x00, 0x41])).unwrap_err();
    assert!(err.message.contains("invalid custom page size"), "{err}");
    assert!(decode(&module(&[0x05, 0x04, 0x01, 0x08, 0x00, 0x40])).is_ok());
}
