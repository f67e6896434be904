//! Chooses the executor's dispatch backend.
//!
//! Handlers continue by calling the next handler in tail position. LLVM turns
//! those calls into jumps only when optimising, only on targets where the
//! sibling-call lowering is known to hold, and only when no local's address
//! escapes in the handler, which debug assertions break (their panic
//! messages take addresses); otherwise each instruction would leave a native
//! frame behind. So tail-call dispatch (`tabula_tail_calls`) is on only for
//! optimised builds without debug assertions on the targets below, and the
//! loop backend runs everywhere else, or when the `portable-dispatch` feature
//! asks for it.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(tabula_tail_calls)");
    println!("cargo:rerun-if-changed=build.rs");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let portable = std::env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let arch_ok = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64");
    let opt_ok = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    if arch_ok && opt_ok && !portable && !debug_assertions {
        println!("cargo:rustc-cfg=tabula_tail_calls");
    }
}
