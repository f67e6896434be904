//! `Module`: bytes or text, decoded, validated and compiled once.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::engine::Engine;
use super::error::Error;
use crate::binary::{self, ExportKind, ImportKind};
use crate::ir::{CompiledModule, LazyFunc};
use crate::types::{ExternType, TagType};

/// A validated, compiled module; cheap to clone and shareable between stores.
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) compiled: Arc<CompiledModule>,
}

/// An import a module needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType {
    /// The module name.
    pub module: String,
    /// The field name.
    pub name: String,
    /// What must be provided.
    pub ty: ExternType,
}

impl ImportType {
    /// The module name (wasmtime's accessor).
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What must be provided.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// An export a module provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType {
    /// The exported name.
    pub name: String,
    /// What it is.
    pub ty: ExternType,
}

impl ExportType {
    /// The exported name (wasmtime's accessor).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it is.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// The module's bytes in binary form: text is converted when the `wat` feature is on.
fn to_binary(bytes: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    if bytes.starts_with(b"\0asm") {
        return Ok(Cow::Borrowed(bytes));
    }
    #[cfg(feature = "wat")]
    {
        wat::parse_bytes(bytes).map_err(|e| Error::Text(alloc::format!("{e}")))
    }
    #[cfg(not(feature = "wat"))]
    {
        Ok(Cow::Borrowed(bytes))
    }
}

/// A body that failed to decode during validation, as a [`DecodeError`]
/// naming its proposal when the instruction belongs to one Tabula does not
/// implement. Validation reports only a message; decoding the one
/// instruction again at the error's offset recovers the typed error.
fn unsupported_in_body(
    module: &binary::Module,
    features: &crate::Features,
    error: crate::validate::ValidationError,
) -> Error {
    if error.malformed {
        if let Some(bytes) = module.bytes.get(error.offset..) {
            let mut reader = binary::Reader::with_base(bytes, error.offset);
            if let Err(decode) = binary::Instruction::decode(&mut reader, features) {
                if decode.unsupported.is_some() {
                    return Error::Decode(decode);
                }
            }
        }
    }
    Error::Validation(error)
}

impl Module {
    /// Decodes, validates and compiles a module in binary or text form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let binary = to_binary(bytes.as_ref())?;
        Module::from_binary(engine, &binary)
    }

    /// Decodes, validates and compiles a module in binary form.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let features = engine.config().features;
        let module = binary::decode(bytes, &features)?;
        let instrumentation = crate::validate::Instrumentation {
            fuel: engine.config().consume_fuel,
            // Epochs share the interrupt check: off, neither costs anything.
            interrupts: engine.config().interruptible || engine.config().epoch_interruption,
            trace: engine.config().trace,
        };
        let context = crate::validate::validate_with(&module, &features, instrumentation)
            .map_err(|error| unsupported_in_body(&module, &features, error))?;
        let funcs = module.code.iter().map(|_| LazyFunc::new()).collect();
        let exports = module
            .exports
            .iter()
            .enumerate()
            .map(|(i, export)| (export.name.clone(), i as u32))
            .collect();
        Ok(Module {
            compiled: Arc::new(CompiledModule {
                module,
                context,
                funcs,
                exports,
                has_handlers: core::sync::atomic::AtomicBool::new(false),
                has_stack_maps: core::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Reads, decodes, validates and compiles the module in the file at
    /// `path` (binary, or text with the `wat` feature).
    ///
    /// ```
    /// use tabula::{Engine, Module};
    ///
    /// let path = std::env::temp_dir().join(format!("from_file_doc_{}.wat", std::process::id()));
    /// std::fs::write(&path, r#"(module (func (export "f")))"#).unwrap();
    /// let module = Module::from_file(&Engine::default(), &path);
    /// std::fs::remove_file(&path).unwrap();
    /// assert_eq!(module?.exports()[0].name(), "f");
    /// assert!(Module::from_file(&Engine::default(), &path).is_err()); // gone now
    /// # Ok::<(), tabula::Error>(())
    /// ```
    #[cfg(feature = "std")]
    pub fn from_file(engine: &Engine, path: impl AsRef<std::path::Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Usage(alloc::format!("cannot read {}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    /// Checks that `bytes` (binary or text) form a valid module.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
        Module::new(engine, bytes).map(|_| ())
    }

    /// The module's name from the `name` section.
    pub fn name(&self) -> Option<&str> {
        self.compiled.module.names.module.as_deref()
    }

    /// The decoded module.
    pub fn decoded(&self) -> &binary::Module {
        &self.compiled.module
    }

    /// What the module imports, in order.
    pub fn imports(&self) -> Vec<ImportType> {
        let module = &self.compiled.module;
        module
            .imports
            .iter()
            .map(|import| ImportType {
                module: import.module.clone(),
                name: import.name.clone(),
                ty: match import.kind {
                    ImportKind::Func(ty) => ExternType::Func(func_type(module, ty)),
                    ImportKind::Table(ty) => ExternType::Table(ty),
                    ImportKind::Memory(ty) => ExternType::Memory(ty),
                    ImportKind::Global(ty) => ExternType::Global(ty),
                    ImportKind::Tag(ty) => ExternType::Tag(TagType {
                        ty: func_type(module, ty),
                    }),
                },
            })
            .collect()
    }

    /// What the module exports, in order.
    pub fn exports(&self) -> Vec<ExportType> {
        let module = &self.compiled.module;
        let mut funcs = Vec::new();
        let mut tables = Vec::new();
        let mut memories = Vec::new();
        let mut globals = Vec::new();
        let mut tags = Vec::new();
        for import in &module.imports {
            match import.kind {
                ImportKind::Func(ty) => funcs.push(ty),
                ImportKind::Table(ty) => tables.push(ty),
                ImportKind::Memory(ty) => memories.push(ty),
                ImportKind::Global(ty) => globals.push(ty),
                ImportKind::Tag(ty) => tags.push(ty),
            }
        }
        tags.extend(&module.tags);
        funcs.extend(&module.functions);
        tables.extend(&module.tables);
        memories.extend(&module.memories);
        globals.extend(module.globals.iter().map(|g| g.ty));
        module
            .exports
            .iter()
            .map(|export| {
                let i = export.index as usize;
                ExportType {
                    name: export.name.clone(),
                    ty: match export.kind {
                        ExportKind::Func => ExternType::Func(func_type(module, funcs[i])),
                        ExportKind::Table => ExternType::Table(tables[i]),
                        ExportKind::Memory => ExternType::Memory(memories[i]),
                        ExportKind::Global => ExternType::Global(globals[i]),
                        ExportKind::Tag => ExternType::Tag(TagType {
                            ty: func_type(module, tags[i]),
                        }),
                    },
                }
            })
            .collect()
    }
}

/// Function type `index` of a validated module (functions and tags name
/// only function types).
fn func_type(module: &crate::binary::Module, index: u32) -> crate::types::FuncType {
    module.types[index as usize]
        .as_func()
        .expect("validated: a function type")
        .clone()
}
